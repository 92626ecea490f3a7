import { Logger } from '@nestjs/common';
import { Transporter, createTransport } from 'nodemailer';
import { Pool, PoolClient } from 'pg';
import { inTransaction } from '@app/projections';
import { partnerList, reviewList } from '@app/read-models';
import { Clock } from '../clock/clock';
import { MailConfig } from '../config/config';
import { ComposedMail, DigestHeading, MailSubject, NamedAction, actionReference, composeMail } from './mail';
import { readModelsPosition } from '../reads/snapshot';
import { OUTBOX_COLUMNS, OutboxMail, OutboxRow, outboxMail, outboxPosition } from './outbox';

type EnabledMail = Extract<MailConfig, { enabled: true }>;

const FIRST_RETRY_SECONDS = 10;
const LAST_RETRY_SECONDS = 300;
const ERROR_LENGTH = 500;
/** SMTP commands whose permanent refusal (5xx) is about the mail itself: sending it again would be refused again. */
const ABOUT_THE_MAIL = new Set(['RCPT TO', 'DATA']);

/** 10 s after the first failure, doubling to at most 5 minutes: a relay back up is found soon, and one still down costs a connection now and then. */
const retryAfterSeconds = (failures: number): number => Math.min(LAST_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** Math.max(0, failures - 1));

type SmtpError = Error & { responseCode?: number; command?: string };

/** How a round of sending ended: nothing left that is due, or the server is not taking mail just now. */
type RoundEnd = 'done' | 'server-down';

/**
 * Delivers the outbox's pending mail over SMTP, in the order it was decided, each mail in a transaction that
 * holds its row: the row becomes `sent` only once the server has taken the mail, and a second
 * sender skips a row being sent. A crash between the server taking a mail and the row being
 * marked leaves it pending, and it is sent again (with the same Message-ID); nothing is lost.
 */
export class MailSender {
  private readonly logger = new Logger('mail');
  private readonly transport: Transporter;
  private failuresInARow = 0;
  private restingUntil = 0;
  private lastError?: string;

  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
    private readonly config: EnabledMail,
  ) {
    this.transport = createTransport({
      url: config.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      // smtp:// takes STARTTLS when offered without checking the certificate, as mail servers do between
      // themselves; smtps://, or ?requireTLS=true&tls.rejectUnauthorized=true in SMTP_URL, insists on a verified one.
      ...(config.smtpUrl.startsWith('smtp:') && { tls: { rejectUnauthorized: false } }),
    });
  }

  /** The server's last refusal or failure to answer, until a mail goes through. */
  get serverError(): string | undefined {
    return this.lastError;
  }

  /** Sends every mail due now, until none is, the server fails, or `stopped`; the number sent. */
  async sendDue(stopped: () => boolean): Promise<number> {
    if (this.clock().getTime() < this.restingUntil) return 0;
    // A mail names its review and agency from the read models: none goes before they hold all the outbox decided from.
    if ((await readModelsPosition(this.pool)) < (await outboxPosition(this.pool))) return 0;
    let sent = 0;
    while (!stopped()) {
      const outcome = await inTransaction(this.pool, (client) => this.sendOne(client));
      if (outcome === 'sent') sent += 1;
      if (outcome === 'done') break;
      if (outcome === 'server-down') {
        this.failuresInARow += 1;
        this.restingUntil = this.clock().getTime() + retryAfterSeconds(this.failuresInARow) * 1000;
        break;
      }
    }
    return sent;
  }

  close(): void {
    this.transport.close();
  }

  private async sendOne(client: PoolClient): Promise<'sent' | 'refused' | RoundEnd> {
    const now = this.clock();
    const { rows } = await client.query<OutboxRow>(
      // Each recipient's mail in the order it was decided: none goes while an earlier one to the same address waits.
      `SELECT ${OUTBOX_COLUMNS} FROM notification_outbox AS mail
        WHERE status = 'pending' AND to_address IS NOT NULL AND next_attempt_at <= $1
          AND NOT EXISTS (SELECT 1 FROM notification_outbox AS earlier
                           WHERE earlier.status = 'pending' AND earlier.to_address = mail.to_address AND earlier.seq < mail.seq)
        ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED`,
      [now],
    );
    if (rows.length === 0) return 'done';
    const mail = outboxMail(rows[0]);
    let composed: ComposedMail;
    try {
      composed = composeMail(await this.subjectOf(client, mail));
    } catch (error) {
      // A mail that cannot be written would fail the same way again: it must not hold up the rest.
      await this.failed(client, mail, now, `The mail could not be written: ${(error as Error).message}`, true);
      return 'refused';
    }
    try {
      await this.transport.sendMail({
        from: this.config.from,
        to: mail.to,
        subject: composed.subject,
        text: composed.text,
        html: composed.html,
        messageId: `<${mail.id}@${new URL(this.config.publicUrl).hostname}>`,
        // For the agencies' own mail rules (filing, routing to whoever leads on the day): what the mail is about, as codes.
        headers: {
          'Auto-Submitted': 'auto-generated',
          'X-Notification-Rule': mail.rule,
          ...(mail.actionId && { 'X-Action-Id': mail.actionId }),
          ...(mail.partnerId && { 'X-Partner-Id': mail.partnerId }),
          ...(mail.dueDate && { 'X-Due-Date': mail.dueDate }),
        },
      });
    } catch (error) {
      const { responseCode, command, message } = error as SmtpError;
      const refused = responseCode !== undefined && responseCode >= 500 && ABOUT_THE_MAIL.has(command ?? '');
      this.lastError = String(message).slice(0, ERROR_LENGTH);
      await this.failed(client, mail, now, this.lastError, refused);
      this.logger.warn({ notification: mail.id, rule: mail.rule, responseCode, command, refused }, 'a mail was not sent');
      return refused ? 'refused' : 'server-down';
    }
    await client.query(
      `UPDATE notification_outbox SET attempts = attempts + 1, last_error = NULL, status = 'sent', sent_at = $2 WHERE id = $1`,
      [mail.id, now],
    );
    this.failuresInARow = 0;
    this.lastError = undefined;
    return 'sent';
  }

  /** An attempt that did not send the mail: it waits to be tried again, or, refused for good, fails. */
  private async failed(client: PoolClient, mail: OutboxMail, now: Date, error: string, forGood: boolean): Promise<void> {
    await client.query(
      `UPDATE notification_outbox SET attempts = attempts + 1, last_error = $2, status = $3, next_attempt_at = $4 WHERE id = $1`,
      [
        mail.id,
        error.slice(0, ERROR_LENGTH),
        forGood ? 'failed' : 'pending',
        new Date(now.getTime() + retryAfterSeconds(mail.attempts + 1) * 1000),
      ],
    );
  }

  /** The names a mail is written with: the action's review reference and owner, and for a digest each listed action's. */
  private async subjectOf(client: PoolClient, mail: OutboxMail): Promise<MailSubject> {
    const listedIds = (heading: DigestHeading) => (mail.facts[`${heading}Actions`] as readonly string[] | undefined) ?? [];
    const ids = [
      ...(mail.actionId ? [mail.actionId] : []),
      ...listedIds('overdue'),
      ...listedIds('dueSoon'),
      ...listedIds('awaitingAssurance'),
    ];
    const { rows } = await client.query<{
      action_id: string;
      reference: string | null;
      partner_id: string | null;
      partner_name: string | null;
      due_date: string | null;
    }>(
      `SELECT a.action_id, r.doc->>'reference' AS reference, a.watched->>'partnerId' AS partner_id, p.doc->>'name' AS partner_name, a.due_date::text AS due_date
         FROM notification_actions a
         LEFT JOIN ${reviewList.table} r ON r.key = a.watched->>'reviewId'
         LEFT JOIN ${partnerList.table} p ON p.key = a.watched->>'partnerId'
        WHERE a.action_id = ANY($1)`,
      [ids],
    );
    const names = new Map(rows.map((row) => [row.action_id, row]));
    const trackerUrl = `${this.config.publicUrl}/tracker`;
    const named = (id: string): NamedAction => {
      const row = names.get(id);
      return {
        reference: actionReference(row?.reference ?? undefined, id),
        partnerName: row?.partner_name ?? row?.partner_id ?? '',
        dueDate: row?.due_date ?? undefined,
        link: `${trackerUrl}/${encodeURIComponent(id)}`,
      };
    };
    // The mail is about the owner and due date it was decided for, which a later change does not rewrite.
    const owner =
      mail.partnerId &&
      (await client.query<{ name: string }>(`SELECT doc->>'name' AS name FROM ${partnerList.table} WHERE key = $1`, [mail.partnerId]))
        .rows[0]?.name;
    const action = mail.actionId
      ? { ...named(mail.actionId), partnerName: owner || mail.partnerId || '', dueDate: mail.dueDate }
      : undefined;
    return {
      mail,
      action,
      listed: {
        overdue: listedIds('overdue').map(named),
        dueSoon: listedIds('dueSoon').map(named),
        awaitingAssurance: listedIds('awaitingAssurance').map(named),
      },
      trackerUrl,
    };
  }
}
