import { randomUUID } from 'node:crypto';
import { Pool, PoolClient } from 'pg';
import {
  ActionEvent,
  NOTIFICATION_RULES,
  Notice,
  NoticeFacts,
  NotificationRule,
  PartnerMailboxSet,
  WatchedAction,
  actionStream,
  addDays,
  dayInEngland,
  digestDue,
  noticeKey,
  noticesOn,
  remindersDue,
} from '@app/domain';
import { EventStore, RecordedEvent } from '@app/event-store';
import { SetAside, inTransaction, recordSetAside, setAside } from '@app/projections';
import { actionList, openAndOwnedSql, overdueSql, whyUnfoldable } from '@app/read-models';
import { Clock } from '../clock/clock';

export const NOTIFICATION_STATUSES = ['pending', 'sent', 'failed', 'cancelled'] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

/** One mail of the outbox, as the sender and the readers of the outbox see it. */
export type OutboxMail = Readonly<{
  id: string;
  rule: NotificationRule;
  actionId?: string;
  partnerId?: string;
  dueDate?: string;
  facts: NoticeFacts;
  /** Unset while the owning partner has no mailbox: the mail waits for one. */
  to?: string;
  status: NotificationStatus;
  attempts: number;
  lastError?: string;
  createdAt: Date;
  sentAt?: Date;
}>;

const PROGRESS = 'outbox';

/** The position of the log the outbox has decided its mail up to. */
export async function outboxPosition(db: Pool | PoolClient): Promise<bigint> {
  const { rows } = await db.query<{ position: string }>('SELECT position FROM notification_progress WHERE name = $1', [PROGRESS]);
  return BigInt(rows[0]?.position ?? 0);
}
/** The outbox's name among the readers of the log, in the quarantine. */
export const OUTBOX_READER = 'outbox';
const BATCH_SIZE = 1000;
const ACTION_STREAM_PREFIX = actionStream('');
/** How many actions a sweep reads at a time. */
const SWEEP_CHUNK = 5000;
/** The digest lists at most this many actions under each heading; the counts are whole. */
const DIGEST_LISTS = 25;

type NewMail = Notice & Readonly<{ id: string; key: string; to?: string; status: NotificationStatus; facts: NoticeFacts }>;

/** How far the outbox has read the log, and from where events cause mail (before it, the log is history). */
type Progress = Readonly<{ position: bigint; mailFrom: bigint }>;

/**
 * The outbox: which mail is owed, decided from the events and the calendar, kept in PostgreSQL
 * beside the read models. Applying events is a projection with its own checkpoint: each batch's
 * mail, cancellations and checkpoint commit together, so no event causes its mail twice or never.
 */
export class Outbox {
  private known?: Progress;

  constructor(
    private readonly pool: Pool,
    private readonly store: Pick<EventStore, 'readAll' | 'headPosition'>,
    private readonly clock: Clock,
    private readonly subgroupEmail: string | undefined,
  ) {}

  /** Applies every event after the checkpoint, a batch a transaction; the number applied. */
  async catchUp(stopped: () => boolean): Promise<number> {
    // Kept between rounds: each batch checks it under lock, so one left behind by another leader costs a batch, not a mail.
    let progress = this.known ?? (await this.progress());
    let applied = 0;
    while (!stopped()) {
      const events = await this.store.readAll(progress.position, BATCH_SIZE);
      if (events.length === 0) break;
      progress = await inTransaction(this.pool, (client) => this.apply(client, progress, events));
      this.known = progress;
      applied += events.length;
    }
    return applied;
  }

  /**
   * The reminders, escalations and digest due now, added to the outbox unless already there (the
   * same rule, action and occasion): sweeping again, or from another instance, adds nothing twice.
   */
  async sweep(): Promise<number> {
    const now = this.clock();
    const today = dayInEngland(now);
    const mailboxes = await this.mailboxes(this.pool);
    let added = 0;
    // A chunk of actions at a time, so that a partnership's whole plan never holds up the service's other work.
    for (let after = ''; ;) {
      const { rows } = await this.pool.query<{ action_id: string; watched: WatchedAction }>(
        `SELECT action_id, watched FROM notification_actions
          WHERE ${openAndOwnedSql('status')} AND action_id > $1 AND due_date <= $2
          ORDER BY action_id LIMIT $3`,
        [after, addDays(today, 30), SWEEP_CHUNK],
      );
      if (rows.length === 0) break;
      after = rows[rows.length - 1].action_id;
      const notices = rows.flatMap(({ watched }) => remindersDue(watched, today));
      added += await this.insert(
        this.pool,
        notices.flatMap((notice) => this.addressed(notice, mailboxes)),
        now,
      );
    }
    const monday = digestDue(now);
    if (monday && this.subgroupEmail) {
      const digest: Notice = { rule: 'weekly-digest', occasion: monday, facts: await this.digestFacts(today) };
      added += await this.insert(this.pool, this.addressed(digest, mailboxes), now);
    }
    return added;
  }

  /** The outbox, newest first. */
  async list(filter: Readonly<{ status?: NotificationStatus; actionId?: string; limit: number }>): Promise<OutboxMail[]> {
    const { rows } = await this.pool.query<OutboxRow>(
      `SELECT ${OUTBOX_COLUMNS} FROM notification_outbox
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR action_id = $2)
        ORDER BY created_at DESC, id LIMIT $3`,
      [filter.status ?? null, filter.actionId ?? null, filter.limit],
    );
    return rows.map(outboxMail);
  }

  /** How many mails wait, how many of those for a partner to have a mailbox, and how many failed: each from its partial index, never from all the mail ever sent. */
  async waiting(): Promise<{ pending: number; withoutMailbox: number; failed: number }> {
    const { rows } = await this.pool.query<{ pending: number; without_mailbox: number; failed: number }>(
      `SELECT (SELECT count(*) FROM notification_outbox WHERE status = 'pending')::int AS pending,
              (SELECT count(*) FROM notification_outbox WHERE status = 'pending' AND to_address IS NULL)::int AS without_mailbox,
              (SELECT count(*) FROM notification_outbox WHERE status = 'failed')::int AS failed`,
    );
    return { pending: rows[0].pending, withoutMailbox: rows[0].without_mailbox, failed: rows[0].failed };
  }

  private async progress(): Promise<Progress> {
    // The first time the outbox runs, the log so far is history: it shapes the reminders, but no event in it is news.
    await this.pool.query(
      'INSERT INTO notification_progress (name, position, mail_from) VALUES ($1, 0, $2) ON CONFLICT (name) DO NOTHING',
      [PROGRESS, String(await this.store.headPosition())],
    );
    const { rows } = await this.pool.query<{ position: string; mail_from: string }>(
      'SELECT position, mail_from FROM notification_progress WHERE name = $1',
      [PROGRESS],
    );
    return { position: BigInt(rows[0].position), mailFrom: BigInt(rows[0].mail_from) };
  }

  private async apply(client: PoolClient, progress: Progress, events: readonly RecordedEvent[]): Promise<Progress> {
    // Locks the checkpoint: should two instances ever both think they lead, the second waits here, then finds it moved and applies nothing.
    const { rows } = await client.query<{ position: string }>('SELECT position FROM notification_progress WHERE name = $1 FOR UPDATE', [
      PROGRESS,
    ]);
    if (BigInt(rows[0].position) !== progress.position) return { ...progress, position: BigInt(rows[0].position) };
    const now = this.clock();
    const mailboxes = await this.mailboxes(client);
    const actions = await this.watched(client, events);
    const changedActions = new Set<string>();
    const changedMailboxes = new Set<string>();
    const cancelled = new Set<string>();
    const mail: NewMail[] = [];
    const aside: SetAside[] = [];
    for (const event of events) {
      const read = event.type === 'PartnerMailboxSet' || event.streamId.startsWith(ACTION_STREAM_PREFIX);
      const unreadable = read ? whyUnfoldable(event) : undefined;
      if (unreadable) {
        aside.push(setAside(OUTBOX_READER, event, unreadable));
        continue;
      }
      if (event.type === 'PartnerMailboxSet') {
        const { partnerId, email } = event.data as PartnerMailboxSet['data'];
        mailboxes.set(partnerId, email);
        changedMailboxes.add(partnerId);
        continue;
      }
      if (!event.streamId.startsWith(ACTION_STREAM_PREFIX)) continue;
      const actionId = event.streamId.slice(ACTION_STREAM_PREFIX.length);
      // The log before mail was first on, and a plan's history brought in by import, happened before: nobody is told of it now.
      const past = event.position <= progress.mailFrom || event.metadata.occurredOn !== undefined;
      const decided = noticesOn(actions.get(actionId), { type: event.type, data: event.data } as ActionEvent, {
        occasion: `event-${event.position}`,
        quiet: past,
        today: dayInEngland(now),
      });
      if (!decided.action) continue;
      actions.set(actionId, decided.action);
      changedActions.add(actionId);
      if (decided.cancelsPending) {
        cancelled.add(actionId);
        for (const [index, earlier] of mail.entries()) {
          if (earlier.actionId === actionId && earlier.status === 'pending') mail[index] = { ...earlier, status: 'cancelled' };
        }
      }
      mail.push(...decided.notices.flatMap((notice) => this.addressed(notice, mailboxes)));
    }
    // What waited in the outbox before this batch is cancelled before the batch's own mail is added.
    if (cancelled.size > 0) {
      await client.query(
        `UPDATE notification_outbox SET status = 'cancelled', cancelled_at = $2 WHERE status = 'pending' AND action_id = ANY($1)`,
        [[...cancelled], now],
      );
    }
    await this.saveWatched(
      client,
      [...changedActions].map((id) => actions.get(id)!),
    );
    await this.saveMailboxes(
      client,
      [...changedMailboxes].map((partnerId) => ({ partnerId, email: mailboxes.get(partnerId)! })),
    );
    await this.insert(client, mail, now);
    await recordSetAside(client, aside);
    const position = events[events.length - 1].position;
    await client.query('UPDATE notification_progress SET position = $2 WHERE name = $1', [PROGRESS, String(position)]);
    return { ...progress, position };
  }

  /** The notice with where it goes: the owner's mailbox (which may not be set yet), or the subgroup's; none when the subgroup has none. */
  private addressed(notice: Notice, mailboxes: ReadonlyMap<string, string>): NewMail[] {
    const owner = NOTIFICATION_RULES[notice.rule] === 'owner';
    if (!owner && !this.subgroupEmail) return [];
    const to = owner ? notice.partnerId && mailboxes.get(notice.partnerId) : this.subgroupEmail;
    return [{ ...notice, id: randomUUID(), key: noticeKey(notice), to: to || undefined, status: 'pending', facts: notice.facts ?? {} }];
  }

  private async insert(client: Pool | PoolClient, mail: readonly NewMail[], now: Date): Promise<number> {
    if (mail.length === 0) return 0;
    const rows = mail.map((item) => ({
      id: item.id,
      key: item.key,
      rule: item.rule,
      recipient: NOTIFICATION_RULES[item.rule],
      action_id: item.actionId ?? null,
      partner_id: item.partnerId ?? null,
      due_date: item.dueDate ?? null,
      facts: item.facts,
      to_address: item.to ?? null,
      status: item.status,
    }));
    const { rowCount } = await client.query(
      `INSERT INTO notification_outbox (id, key, rule, recipient, action_id, partner_id, due_date, facts, to_address, status, created_at, next_attempt_at, cancelled_at)
       SELECT r.id, r.key, r.rule, r.recipient, r.action_id, r.partner_id, r.due_date, r.facts, r.to_address, r.status, $2, $2,
              CASE WHEN r.status = 'cancelled' THEN $2::timestamptz END
         FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (id uuid, key text, rule text, recipient text, action_id text, partner_id text,
                                                           due_date date, facts jsonb, to_address text, status text))
              WITH ORDINALITY AS r(id, key, rule, recipient, action_id, partner_id, due_date, facts, to_address, status, made)
        ORDER BY r.made
       ON CONFLICT (key) DO NOTHING`,
      [JSON.stringify(rows), now],
    );
    return rowCount ?? 0;
  }

  private async watched(client: PoolClient, events: readonly RecordedEvent[]): Promise<Map<string, WatchedAction>> {
    const ids = [
      ...new Set(
        events
          .filter((event) => event.streamId.startsWith(ACTION_STREAM_PREFIX))
          .map((event) => event.streamId.slice(ACTION_STREAM_PREFIX.length)),
      ),
    ];
    const { rows } = await client.query<{ watched: WatchedAction }>('SELECT watched FROM notification_actions WHERE action_id = ANY($1)', [
      ids,
    ]);
    return new Map(rows.map(({ watched }) => [watched.actionId, watched]));
  }

  private async saveWatched(client: PoolClient, actions: readonly WatchedAction[]): Promise<void> {
    if (actions.length === 0) return;
    await client.query(
      `INSERT INTO notification_actions (action_id, status, due_date, watched)
       SELECT w->>'actionId', w->>'status', (w->>'dueDate')::date, w FROM jsonb_array_elements($1::jsonb) AS w
       ON CONFLICT (action_id) DO UPDATE SET status = EXCLUDED.status, due_date = EXCLUDED.due_date, watched = EXCLUDED.watched`,
      [JSON.stringify(actions)],
    );
  }

  /** A partner's new mailbox: its own mail waiting in the outbox goes there, including what waited for a mailbox at all. */
  private async saveMailboxes(client: PoolClient, mailboxes: readonly { partnerId: string; email: string }[]): Promise<void> {
    if (mailboxes.length === 0) return;
    const json = JSON.stringify(mailboxes);
    await client.query(
      `INSERT INTO notification_mailboxes (partner_id, email)
       SELECT m."partnerId", m.email FROM jsonb_to_recordset($1::jsonb) AS m("partnerId" text, email text)
       ON CONFLICT (partner_id) DO UPDATE SET email = EXCLUDED.email`,
      [json],
    );
    await client.query(
      `UPDATE notification_outbox o SET to_address = m.email
         FROM jsonb_to_recordset($1::jsonb) AS m("partnerId" text, email text)
        WHERE o.status = 'pending' AND o.recipient = 'owner' AND o.partner_id = m."partnerId"`,
      [json],
    );
  }

  private async mailboxes(client: Pool | PoolClient): Promise<Map<string, string>> {
    const { rows } = await client.query<{ partner_id: string; email: string }>('SELECT partner_id, email FROM notification_mailboxes');
    return new Map(rows.map((row) => [row.partner_id, row.email]));
  }

  /**
   * What the subgroup's digest counts and lists: due within 30 days, overdue, and awaiting
   * assurance (evidenced, no evidence accepted yet), from the action list the dashboard counts, by
   * the same rules: the digest and the dashboard give the same figures on the same day.
   */
  private async digestFacts(today: string): Promise<NoticeFacts> {
    const { rows } = await this.pool.query<{ heading: string; total: number; ids: string[] }>(
      `WITH outstanding AS (
         SELECT key AS action_id, due_date, assurance,
                CASE WHEN ${overdueSql('outstanding', 'due_date', '$1')} THEN 'overdue' WHEN due_date <= $2 THEN 'dueSoon' END AS by_date
           FROM ${actionList.table} WHERE outstanding)
       SELECT heading, count(*)::int AS total, (array_agg(action_id ORDER BY due_date, action_id))[1:$3] AS ids
         FROM (SELECT by_date AS heading, action_id, due_date FROM outstanding WHERE by_date IS NOT NULL
               UNION ALL
               SELECT 'awaitingAssurance', action_id, due_date FROM outstanding WHERE assurance = 'awaiting') AS listed
        GROUP BY heading`,
      [today, addDays(today, 30), DIGEST_LISTS],
    );
    const facts: Record<string, string | string[]> = { overdue: '0', dueSoon: '0', awaitingAssurance: '0' };
    for (const row of rows) {
      facts[row.heading] = String(row.total);
      facts[`${row.heading}Actions`] = row.ids;
    }
    return facts;
  }
}

/** The outbox's columns as OutboxRow has them: the due date as text, not a Date at local midnight. */
export const OUTBOX_COLUMNS =
  'id, rule, action_id, partner_id, due_date::text AS due_date, facts, to_address, status, attempts, last_error, created_at, sent_at';

export type OutboxRow = Readonly<{
  id: string;
  rule: NotificationRule;
  action_id: string | null;
  partner_id: string | null;
  due_date: string | null;
  facts: NoticeFacts;
  to_address: string | null;
  status: NotificationStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}>;

export const outboxMail = (row: OutboxRow): OutboxMail => ({
  id: row.id,
  rule: row.rule,
  ...(row.action_id && { actionId: row.action_id }),
  ...(row.partner_id && { partnerId: row.partner_id }),
  ...(row.due_date && { dueDate: row.due_date }),
  facts: row.facts,
  ...(row.to_address && { to: row.to_address }),
  status: row.status,
  attempts: row.attempts,
  ...(row.last_error && { lastError: row.last_error }),
  createdAt: row.created_at,
  ...(row.sent_at && { sentAt: row.sent_at }),
});
