import { Pool } from 'pg';
import { Migration, applyMigrations } from '@app/event-store';

/**
 * The tables the service keeps besides the events and the read models (which the projection
 * runner makes from their definitions): sign-in sessions, uploads waiting for their import, the
 * mail outbox, and the tallies of the action counts. Each change to them is a migration of its
 * own, appended here and never edited once released: the SQL is history, as written then.
 */
export const SERVICE_MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    // Made before the service kept a list of its own: a database from then already has them.
    name: 'sessions, import uploads, the mail outbox and the action tallies',
    sql: `
      CREATE TABLE IF NOT EXISTS web_sessions (
        id_hash bytea PRIMARY KEY,
        actor jsonb NOT NULL,
        started_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        ended_at timestamptz
      );

      CREATE TABLE IF NOT EXISTS import_uploads (
        id text PRIMARY KEY,
        user_id text NOT NULL,
        file_name text NOT NULL,
        media_type text NOT NULL,
        body bytea NOT NULL,
        uploaded_at timestamptz NOT NULL
      );

      CREATE TABLE IF NOT EXISTS notification_outbox (
        id uuid PRIMARY KEY,
        key text NOT NULL UNIQUE,
        rule text NOT NULL,
        recipient text NOT NULL CHECK (recipient IN ('owner', 'subgroup')),
        action_id text,
        partner_id text,
        due_date date,
        facts jsonb NOT NULL,
        to_address text,
        status text NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL,
        next_attempt_at timestamptz NOT NULL,
        sent_at timestamptz,
        cancelled_at timestamptz
      );
      -- The order mail was decided in, which is the order of the events behind it: each recipient is sent theirs in it.
      ALTER TABLE notification_outbox ADD COLUMN IF NOT EXISTS seq bigserial;
      CREATE INDEX IF NOT EXISTS notification_outbox_waiting ON notification_outbox (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX IF NOT EXISTS notification_outbox_pending_by_recipient ON notification_outbox (to_address, seq) WHERE status = 'pending';
      CREATE INDEX IF NOT EXISTS notification_outbox_pending_by_action ON notification_outbox (action_id) WHERE status = 'pending';
      CREATE INDEX IF NOT EXISTS notification_outbox_failed ON notification_outbox (created_at) WHERE status = 'failed';
      CREATE INDEX IF NOT EXISTS notification_outbox_newest ON notification_outbox (created_at DESC, id);
      CREATE TABLE IF NOT EXISTS notification_actions (
        action_id text PRIMARY KEY,
        status text NOT NULL,
        due_date date,
        watched jsonb NOT NULL
      );
      -- The actions whose move it is to meet a date (openAndOwnedSql, as the policy said it then).
      CREATE INDEX IF NOT EXISTS notification_actions_outstanding_ids ON notification_actions (action_id)
        WHERE status IN ('assigned', 'evidenced');
      CREATE TABLE IF NOT EXISTS notification_mailboxes (partner_id text PRIMARY KEY, email text NOT NULL);
      CREATE TABLE IF NOT EXISTS notification_progress (
        name text PRIMARY KEY,
        position bigint NOT NULL,
        mail_from bigint NOT NULL
      );

      CREATE TABLE IF NOT EXISTS action_tallies (
        generation oid NOT NULL,
        at bigint NOT NULL,
        cells jsonb NOT NULL,
        PRIMARY KEY (generation, at)
      );
      CREATE TABLE IF NOT EXISTS action_day_tallies (
        generation oid NOT NULL,
        at text NOT NULL,
        cells jsonb NOT NULL,
        PRIMARY KEY (generation, at)
      );
      CREATE TABLE IF NOT EXISTS action_day_tallies_checked (
        generation oid PRIMARY KEY,
        position bigint NOT NULL
      );
    `,
  },
];

const SERVICE_MIGRATION_LOCK = 0x1ea2_0002;

/** Applies the service's migrations not applied yet: before the service starts, from any number of instances at once. */
export const migrateService = (pool: Pool): Promise<void> =>
  applyMigrations(pool, { migrations: SERVICE_MIGRATIONS, table: 'service_migrations', lock: SERVICE_MIGRATION_LOCK });
