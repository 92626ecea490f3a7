import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Pool } from 'pg';
import { actionStream, addDays, dayInEngland, startOfDayInEngland } from '@app/domain';
import { EVENT_STORE, EventStore, RecordedEvent } from '@app/event-store';
import { validOn } from '@app/projections';
import { actionHistory, actionList, happenedOn } from '@app/read-models';
import { CLOCK, Clock } from '../clock/clock';
import { DATABASE_POOL } from '../database/database-pool';
import { ValidationFailed } from '../http/problem';
import { PartnerDirectory } from '../partners/partner-directory';
import { ReadPositions } from '../reads/read-position';
import { WORK_EVENT_TYPES, describeEvent } from '../words/event-sentences';
import { counted, formatDate, spanBetween } from '../words/words';

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

export class ImportedHistoryView {
  @ApiProperty({ format: 'date-time', description: 'When the first of its changes was recorded' }) recordedAt!: string;
  @ApiProperty({ type: Object, description: 'sub, name, roles and partner of who imported it' }) actor!: object;
  @ApiProperty({ description: 'How many changes it recorded that had happened before the window' }) changes!: number;
  @ApiProperty({ format: 'date', description: 'The day the earliest of them happened' }) from!: string;
  @ApiProperty({ format: 'date', description: 'The day the latest of them happened' }) to!: string;
  @ApiProperty({ description: 'In words: "2 years of history imported: ..."' }) summary!: string;
}

export class ChangesView {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({
    type: [ChangeView],
    description:
      'What happened between the two instants (recorded then, or imported as having happened on a day between), in the order recorded',
  })
  items!: ChangeView[];
  @ApiProperty({
    type: [ImportedHistoryView],
    description: 'What was recorded between the two instants but had happened before them (history imported): one line for each import',
  })
  importedHistory!: ImportedHistoryView[];
  @ApiProperty({ type: Object, description: 'How many of each type of event, of the items' }) counts!: Record<string, number>;
  @ApiProperty({
    type: [String],
    description: 'Actions that became overdue in between: outstanding, by what had happened, as their due date passed',
  })
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

/**
 * What was recorded in the window but had happened before its first day (history imported), one
 * line for each import (the events one request recorded), rather than a change for each event.
 */
class ImportedHistory {
  private readonly byImport = new Map<string, { recordedAt: Date; actor: object; changes: number; from: string; to: string }>();

  constructor(private readonly firstDay: string) {}

  /** Takes the event when it had happened before the window, and says whether it did. */
  took(event: RecordedEvent): boolean {
    const { correlationId } = event.metadata;
    const occurredOn = happenedOn(event);
    if (occurredOn === undefined || occurredOn >= this.firstDay) return false;
    const key = typeof correlationId === 'string' ? correlationId : event.position.toString();
    const line = this.byImport.get(key);
    if (!line)
      this.byImport.set(key, {
        recordedAt: event.recordedAt,
        actor: event.metadata.actor as object,
        changes: 1,
        from: occurredOn,
        to: occurredOn,
      });
    else {
      line.changes += 1;
      if (occurredOn < line.from) line.from = occurredOn;
      if (occurredOn > line.to) line.to = occurredOn;
    }
    return true;
  }

  lines(): ImportedHistoryView[] {
    return [...this.byImport.values()].map((line) => ({
      ...line,
      recordedAt: line.recordedAt.toISOString(),
      summary: `${spanBetween(line.from, line.to)} of history imported: ${counted(line.changes, 'change')} that happened from ${formatDate(line.from)} to ${formatDate(line.to)}`,
    }));
  }
}

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
    const imports = new ImportedHistory(dayInEngland(from));
    for await (const page of this.pages(from, last, imports)) items.push(...page);
    const counts: Record<string, number> = {};
    for (const item of items) counts[item.type] = (counts[item.type] ?? 0) + 1;
    const becameOverdue = await this.becameOverdue(from, to);
    const named = [...new Set([...items.flatMap((item) => (item.actionId ? [item.actionId] : [])), ...becameOverdue])];
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      items,
      importedHistory: imports.lines(),
      counts,
      becameOverdue,
      actions: await this.actionsNamed(named),
    };
  }

  /** The changes a page of the log at a time, each page with the actions it names: for a file, which never holds them all at once. */
  async *changesBetween(query: GetChangesQuery): AsyncGenerator<Pick<ChangesView, 'items' | 'actions'>> {
    const { from, to } = this.window(query);
    for await (const items of this.pages(from, await this.lastPosition(to), new ImportedHistory(dayInEngland(from)))) {
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

  /**
   * The partnership's events recorded from `from` up to the position `last`, in order, told a page
   * at a time; those that had happened before the window go to `imports` instead.
   */
  private async *pages(from: Date, last: bigint, imports: ImportedHistory): AsyncGenerator<ChangeView[]> {
    const names = Object.fromEntries((await this.partners.all()).map((partner) => [partner.id, partner.name]));
    let after = await this.store.positionAt(new Date(from.getTime() - 1));
    while (after < last) {
      const page = await this.store.readAll(after, PAGE, { recordedFrom: from, types: WORK_EVENT_TYPES });
      const events = page.filter((event) => event.position <= last && !imports.took(event));
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
      const occurredOn = happenedOn(event);
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
        ...(occurredOn && { occurredOn }),
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
   * Actions that turned overdue in the window, by what had happened: the action's version as it stood
   * at the end of its due date (`validOn`) was outstanding with that due date, and the start of the
   * next day in England lies between `from` and `to`. History imported later counts on its own days,
   * as the picture as at a day counts it.
   */
  private async becameOverdue(from: Date, to: Date): Promise<string[]> {
    const { rows } = await this.pool.query<{ key: string }>(
      `SELECT key FROM (
         SELECT DISTINCT ON (key) key, due_date, raised_position
           FROM ${actionHistory.table}
          WHERE outstanding AND due_date >= $3 AND due_date < $4 AND ${validOn('due_date')}
            AND ${overdueFrom('due_date')} > $1 AND ${overdueFrom('due_date')} <= $2
          ORDER BY key, due_date
       ) AS turned ORDER BY due_date, raised_position`,
      // Due dates are text: the days that can have passed in the window bound them, for the index.
      [from.toISOString(), to.toISOString(), addDays(dayInEngland(from), -1), dayInEngland(to)],
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
