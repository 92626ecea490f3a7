import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import { GENESIS_HASH } from '../hash-chain';

/** The channel notified on every commit of events, for readers that follow the log. */
export const EVENT_LOG_CHANNEL = 'event_log';

export type Migration = Readonly<{ id: number; name: string; sql: string }>;

/** SQL kept in a file of its own beside this one (copied beside the build by nest-cli.json's assets). */
const sqlBeside = (file: string) => readFileSync(join(__dirname, file), 'utf8');

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'event log with hash chain',
    sql: `
      CREATE TABLE event_log_head (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        position bigint NOT NULL,
        hash bytea NOT NULL,
        recorded_at timestamptz NOT NULL
      );
      INSERT INTO event_log_head VALUES (true, 0, '\\x${GENESIS_HASH}', '-infinity');

      CREATE TABLE events (
        position bigint PRIMARY KEY CHECK (position > 0),
        event_id uuid NOT NULL UNIQUE,
        stream_id text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        type text NOT NULL,
        data jsonb NOT NULL,
        metadata jsonb NOT NULL,
        recorded_at timestamptz NOT NULL,
        prev_hash bytea NOT NULL,
        hash bytea NOT NULL,
        UNIQUE (stream_id, version)
      );

      CREATE FUNCTION refuse_event_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION refuse_event_change();
      CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_change();
      REVOKE UPDATE, DELETE, TRUNCATE ON events FROM PUBLIC;
      REVOKE UPDATE, DELETE, TRUNCATE ON events FROM CURRENT_USER;

      CREATE TABLE idempotency_keys (
        scope text NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        outcome jsonb NOT NULL,
        stream_id text NOT NULL,
        version integer NOT NULL,
        position bigint NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (scope, key)
      );
    `,
  },
  {
    id: 2,
    name: 'notify on every commit of events',
    sql: `
      CREATE FUNCTION notify_event_log() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${EVENT_LOG_CHANNEL}', NEW.position::text);
        RETURN NULL;
      END $$;
      CREATE TRIGGER event_log_notify AFTER UPDATE ON event_log_head
        FOR EACH ROW EXECUTE FUNCTION notify_event_log();
    `,
  },
  {
    id: 3,
    name: 'audit: queries by time and actor, signed checkpoints',
    sql: `
      CREATE INDEX events_recorded_at ON events (recorded_at, position);
      CREATE INDEX events_actor ON events ((metadata->'actor'->>'sub'), position);

      CREATE TABLE audit_checkpoints (
        position bigint PRIMARY KEY,
        hash text NOT NULL,
        signed_at timestamptz NOT NULL,
        key_id text NOT NULL,
        signature text NOT NULL
      );
      CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
        FOR EACH ROW EXECUTE FUNCTION refuse_event_change();
      CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_event_change();
      REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoints FROM PUBLIC;
    `,
  },
  {
    id: 4,
    // json keeps the text it is given: events appended from now on are stored as the very canonical
    // JSON their hashes cover, so the chain can be verified without parsing them. Events stored
    // before keep jsonb's rendering, which the verifier checks the slow way.
    name: 'event data and metadata kept as the canonical JSON text their hashes cover',
    // The check keeps refusing what jsonb cannot hold (a NUL character, a lone surrogate), which the
    // read models, kept in jsonb, could never take.
    sql: `
      ALTER TABLE events
        ALTER COLUMN data TYPE json USING data::json,
        ALTER COLUMN metadata TYPE json USING metadata::json,
        ADD CONSTRAINT events_json_fits_jsonb CHECK (data::jsonb IS NOT NULL AND metadata::jsonb IS NOT NULL);
    `,
  },
  {
    id: 5,
    // A group of appends in one round trip: checked, chained and written where the log head is
    // locked, so the lock is held for the database's work alone, never across a trip to the client.
    // It implements the append rules numbered in docs/event-store.md, in their order: the head and
    // the recorded time (rule 6), the loop over the group (1), the version (2), the event ids (3) and
    // the claim (4) checked in turn (5), positions, versions and hashes (6, 7), the claims kept (8).
    // Each append keeps its own outcome (9), as planAppends (append-plan.ts) decides for the other stores:
    // the version it reached and its last position, or why it was refused (the stream's actual
    // version, an event id already recorded, or a live claim on its idempotency key, as JSON).
    // The client sends each event's hashed text around the two fields only the database knows
    // (position and recorded time); the hash is SHA-256 over the previous hash and that text.
    name: 'append a group of streams in one call',
    sql: sqlBeside('append-events.sql'),
  },
];

const MIGRATION_LOCK = 0x1ea2_0001;

/** A numbered list of schema changes, the table that records which are applied, and the lock that takes turns applying them. */
export type MigrationSet = Readonly<{ migrations: readonly Migration[]; table: string; lock: number }>;

/** Applies the event log's migrations not applied yet. */
export const migrate = (pool: Pool): Promise<void> =>
  applyMigrations(pool, { migrations: MIGRATIONS, table: 'schema_migrations', lock: MIGRATION_LOCK });

/** Applies the migrations of a set not applied yet, one transaction each. Safe to run from several processes at once. */
export async function applyMigrations(pool: Pool, { migrations, table, lock }: MigrationSet): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [lock]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (id integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ id: number }>(`SELECT id FROM ${table}`);
    const applied = new Set(rows.map((row) => row.id));
    for (const migration of migrations.filter((m) => !applied.has(m.id))) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${table} (id, name) VALUES ($1, $2)`, [migration.id, migration.name]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [lock]).catch(() => undefined);
    client.release();
  }
}
