import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Pool } from 'pg';
import { actionStream, addDays, dayInEngland, startOfDayInEngland } from '@app/domain';
import { EVENT_STORE, EventStore, RecordedEvent } from '@app/event-store';
import { actionHistory, actionList } from '@app/read-models';
import { CLOCK, Clock } from '../clock/clock';
import { DATABASE_POOL } from '../database/database-pool';
import { ValidationFailed } from '../http/problem';
import { PartnerDirectory } from '../partners/partner-directory';
import { ReadPositions } from '../reads/read-position';
import { WORK_EVENT_TYPES, describeEvent } from '../words/event-sentences';

export class ChangeView {
  @ApiProperty() position!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiPropertyOptional({ format: 'date', description: 'The day it happened, when that is not the day it was recorded (imports)' })
  occurredOn?: string;
  @ApiProperty() type!: string;
  @ApiPropertyOptional() actionId?: string;
  @ApiPropertyOptional() reviewId?: string;
  @ApiPropertyOptional({ description: 'The partner agency that owned the action once this had happened' }) partnerId?: string;
  @ApiProperty({ type: Object, description: 'sub, name, roles and partner of who did it' }) actor!: object;
  @ApiProperty({ description: 'What happened, in words' }) summary!: string;
}

export class ChangedActionView {
  @ApiProperty() description!: string;
  @ApiProperty({ type: String, nullable: true }) partnerId!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date' }) dueDate!: string | null;
  @ApiProperty() status!: string;
}

export class ChangesView {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ type: [ChangeView], description: 'What was recorded between the two instants, in the order it was recorded' })
  items!: ChangeView[];
  @ApiProperty({ type: Object, description: 'How many of each type of event' }) counts!: Record<string, number>;
  @ApiProperty({ type: [String], description: 'Actions that became overdue in between: outstanding as their due date passed' })
  becameOverdue!: string[];
  @ApiProperty({ type: Object, description: 'Each action named above, as it is now: its description, owner, due date and status' })
  actions!: Record<string, ChangedActionView>;
}

export class GetChangesQuery extends Query<ChangesView> {
  constructor(
    readonly from: string | undefined,
    readonly to: string | undefined,
  ) {
    super();
  }
}

/** By default, the changes since the same day eight weeks ago: the subgroup meets every six to eight weeks. */
export const DEFAULT_WEEKS = 8;
const PAGE = 1000;
const ACTION_PREFIX = actionStream('');

/** The moment a due date has passed: the start of the next day in England, from which the action counts as overdue (SQL). */
const overdueFrom = (dueDate: string) => `((${dueDate}::date + 1)::timestamp AT TIME ZONE 'Europe/London')`;

@QueryHandler(GetChangesQuery)
export class GetChangesHandler implements IQueryHandler<GetChangesQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly positions: ReadPositions,
    private readonly partners: PartnerDirectory,
  ) {}

  async execute(query: GetChangesQuery): Promise<ChangesView> {
    const { from, to } = this.window(query);
    const last = await this.lastPosition(to);
    const items: ChangeView[] = [];
    for await (const page of this.pages(from, last)) items.push(...page);
    const counts: Record<string, number> = {};
    for (const item of items) counts[item.type] = (counts[item.type] ?? 0) + 1;
    const becameOverdue = await this.becameOverdue(from, to, last);
    const named = [...new Set([...items.flatMap((item) => (item.actionId ? [item.actionId] : [])), ...becameOverdue])];
    return { from: from.toISOString(), to: to.toISOString(), items, counts, becameOverdue, actions: await this.actionsNamed(named) };
  }

  /** The changes a page of the log at a time, each page with the actions it names: for a file, which never holds them all at once. */
  async *changesBetween(query: GetChangesQuery): AsyncGenerator<Pick<ChangesView, 'items' | 'actions'>> {
    const { from, to } = this.window(query);
    for await (const items of this.pages(from, await this.lastPosition(to))) {
      const named = [...new Set(items.flatMap((item) => (item.actionId ? [item.actionId] : [])))];
      yield { items, actions: await this.actionsNamed(named) };
    }
  }

  /** The last position recorded by `to`, once the actions' history (which says who owned what) has reached it. */
  private async lastPosition(to: Date): Promise<bigint> {
    const last = await this.store.positionAt(to);
    await this.positions.waitFor(last);
    return last;
  }

  /** The partnership's events recorded from `from` up to the position `last`, in order, told a page at a time. */
  private async *pages(from: Date, last: bigint): AsyncGenerator<ChangeView[]> {
    const names = Object.fromEntries((await this.partners.all()).map((partner) => [partner.id, partner.name]));
    let after = await this.store.positionAt(new Date(from.getTime() - 1));
    while (after < last) {
      const page = await this.store.readAll(after, PAGE, { recordedFrom: from, types: WORK_EVENT_TYPES });
      const events = page.filter((event) => event.position <= last);
      if (events.length > 0) yield await this.told(events, names);
      if (page.length < PAGE || page.at(-1)!.position >= last) break;
      after = page.at(-1)!.position;
    }
  }

  /** Each event as a change: what it was, whose action (as it stood then), and what happened in words. */
  private async told(events: readonly RecordedEvent[], names: Readonly<Record<string, string>>): Promise<ChangeView[]> {
    const owners = await this.ownersAt(events.filter((event) => event.streamId.startsWith(ACTION_PREFIX)).map((event) => event.position));
    return events.map((event): ChangeView => {
      const owner = owners.get(event.position.toString());
      const occurredOn = event.metadata.occurredOn;
      const told = describeEvent(
        {
          ...event,
          actor: event.metadata.actor as object,
          recordedAt: event.recordedAt.toISOString(),
          position: event.position.toString(),
        },
        names,
      );
      return {
        position: event.position.toString(),
        recordedAt: event.recordedAt.toISOString(),
        ...(typeof occurredOn === 'string' && { occurredOn }),
        type: event.type,
        ...(owner ? { actionId: owner.key } : {}),
        ...((owner?.review_id ?? event.data.reviewId) && { reviewId: String(owner?.review_id ?? event.data.reviewId) }),
        ...(owner?.partner_id && { partnerId: owner.partner_id }),
        actor: event.metadata.actor as object,
        summary: told.what,
      };
    });
  }

  private window({ from, to }: GetChangesQuery): { from: Date; to: Date } {
    const now = this.clock();
    const end = to ? new Date(to) : now;
    const start = from ? new Date(from) : startOfDayInEngland(addDays(dayInEngland(now), -7 * DEFAULT_WEEKS));
    if (end > now) throw new ValidationFailed([{ field: 'to', message: 'must not be in the future' }]);
    if (start >= end) throw new ValidationFailed([{ field: 'from', message: 'must be before to' }]);
    return { from: start, to: end };
  }

  /** Who owned each action, and in which review, once the event at each position had happened. */
  private async ownersAt(positions: bigint[]) {
    const { rows } = await this.pool.query<{ key: string; position: string; partner_id: string | null; review_id: string }>(
      `SELECT key, position::text, partner_id, review_id FROM ${actionHistory.table} WHERE position = ANY($1::bigint[])`,
      [positions.map(String)],
    );
    return new Map(rows.map((row) => [row.position, row]));
  }

  /**
   * Actions that turned overdue in the window: a version of the action, outstanding with a due date,
   * was still the current one at the start of the day after that date, and that moment lies between
   * `from` and `to`.
   */
  private async becameOverdue(from: Date, to: Date, last: bigint): Promise<string[]> {
    const { rows } = await this.pool.query<{ key: string }>(
      `SELECT key FROM (
         SELECT DISTINCT ON (version.key) version.key, version.due_date, version.raised_position
           FROM ${actionHistory.table} AS version
           LEFT JOIN ${actionHistory.table} AS next ON next.key = version.key AND next.position = version.valid_to
          WHERE version.outstanding AND version.position <= $3::bigint
            AND version.due_date >= $4 AND version.due_date < $5
            AND ${overdueFrom('version.due_date')} > $1 AND ${overdueFrom('version.due_date')} <= $2
            AND version.updated_at::timestamptz <= ${overdueFrom('version.due_date')}
            AND (next.key IS NULL OR next.updated_at::timestamptz > ${overdueFrom('version.due_date')})
          ORDER BY version.key
       ) AS turned ORDER BY due_date, raised_position`,
      // Due dates are text: the days that can have passed in the window bound them, for the index.
      [from.toISOString(), to.toISOString(), last.toString(), addDays(dayInEngland(from), -1), dayInEngland(to)],
    );
    return rows.map((row) => row.key);
  }

  private async actionsNamed(ids: string[]): Promise<Record<string, ChangedActionView>> {
    const { rows } = await this.pool.query<{
      key: string;
      description: string;
      partner_id: string | null;
      due_date: string | null;
      status: string;
    }>(
      `SELECT key, doc->>'description' AS description, partner_id, due_date, status FROM ${actionList.table} WHERE key = ANY($1::text[])`,
      [ids],
    );
    return Object.fromEntries(
      rows.map((row) => [row.key, { description: row.description, partnerId: row.partner_id, dueDate: row.due_date, status: row.status }]),
    );
  }
}
