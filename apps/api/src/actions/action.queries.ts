import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool, PoolClient } from 'pg';
import {
  ActionEvent,
  Actor,
  NotFound,
  actionDecider,
  actionStream,
  addDays,
  fold,
  listablePartner,
  readsEverything,
  requireReadAccess,
  themeKey,
} from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { ActionDocument, actionList, outstandingSql, overdueSql, readableEvents, reviewList, searchQuery } from '@app/read-models';
import { ActionCounts } from '../reads/action-counts';
import { DATABASE_POOL } from '../database/database-pool';
import { isLogPosition } from '../http/fields';
import { ValidationFailed } from '../http/problem';
import { ReadMoment, ReadScope, ReadScopes, documentsIn, seenAt } from '../reads/read-scope';
import { SqlConditions } from '../reads/sql-conditions';
import { onSnapshot } from '../reads/snapshot';
import { HistoryEntryView, historyEntry } from '../reads/history-entry';
import { ActionDetailView, ActionPageView, ActionView, actionView } from './action.view';
import { ActionSort, ListActionsRequest } from './actions.request.dto';
import { ACTION_OPERATIONS, operationsOpen } from './action-operations';

export class GetActionQuery extends Query<ActionDetailView> {
  constructor(
    readonly actionId: string,
    readonly actor: Actor,
    readonly moment: ReadMoment = {},
  ) {
    super();
  }
}

export class ListActionsQuery extends Query<ActionPageView> {
  constructor(
    readonly filter: ListActionsRequest,
    readonly actor: Actor,
  ) {
    super();
  }
}

/** Every action the filters find (any page size or cursor aside), from one snapshot, a batch at a time. */
export class ExportActionsQuery extends Query<void> {
  constructor(
    readonly filter: ListActionsRequest,
    readonly actor: Actor,
    readonly write: (actions: readonly ActionView[]) => Promise<void>,
  ) {
    super();
  }
}

export class GetActionHistoryQuery extends Query<HistoryEntryView[]> {
  constructor(
    readonly actionId: string,
    readonly actor: Actor,
    /** The history up to an instant or day only, authorised against who owned the action then. */
    readonly moment: ReadMoment = {},
  ) {
    super();
  }
}

const notFound = () => new NotFound('action-not-found', 'No action has that id.');

@QueryHandler(GetActionQuery)
export class GetActionHandler implements IQueryHandler<GetActionQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly scopes: ReadScopes,
  ) {}

  async execute({ actionId, actor, moment }: GetActionQuery): Promise<ActionDetailView> {
    const scope = await this.scopes.resolve(moment);
    const [action] = await documentsIn(
      this.pool,
      scope,
      actionList,
      'key',
      new SqlConditions().add((p) => `key = ${p(actionId)}`),
    );
    if (!action) throw notFound();
    // Authorised against the action as it is shown: who owned it then.
    requireReadAccess(actor, action);
    const can = scope.isNow ? operationsOpen(actor, action, scope.today).map((name) => ACTION_OPERATIONS[name].path) : [];
    return { ...actionView(action, scope.today), can };
  }
}

/** Each order the list can take: the key it sorts by (never null), and which way. */
/** An order of the listing: the expression it sorts by, which way, and what a value of it looks like in a cursor. */
type Order = Readonly<{ key: string; descending: boolean; keyLike: (key: string) => boolean }>;

const DUE_DATE = (key: string) => /^\d{4}-\d{2}-\d{2}$/.test(key);
const RECORDED_AT = (key: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(key);

const ORDERS: Record<ActionSort | 'raised', Order> = {
  raised: { key: 'raised_position', descending: false, keyLike: isLogPosition },
  dueDate: { key: "coalesce(due_date, '9999-12-31')", descending: false, keyLike: DUE_DATE },
  '-dueDate': { key: "coalesce(due_date, '0000-01-01')", descending: true, keyLike: DUE_DATE },
  updatedAt: { key: 'updated_at', descending: false, keyLike: RECORDED_AT },
  '-updatedAt': { key: 'updated_at', descending: true, keyLike: RECORDED_AT },
};

/**
 * Where a page starts or ends: an action's sort key and raised position (which breaks ties), and
 * whether the page wanted lies after it (next) or before it (previous).
 */
type Cursor = Readonly<{ key: string; position: string; before: boolean }>;

const encodeCursor = ({ key, position, before }: Cursor) =>
  Buffer.from(JSON.stringify(before ? [key, position, 'before'] : [key, position])).toString('base64url');

/** A cursor this service gave for the order asked for: its key must be a value of that order's (a date for the due date's, ...). */
function decodeCursor(cursor: string, order: Order): Cursor {
  try {
    const [key, position, before] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof key === 'string' && order.keyLike(key) && typeof position === 'string' && isLogPosition(position))
      if (before === undefined || before === 'before') return { key, position, before: before === 'before' };
  } catch {
    // Refused below, as any other cursor this service did not give.
  }
  throw new ValidationFailed([{ field: 'cursor', message: 'must be a nextCursor or previousCursor of an earlier page in the same order' }]);
}

/** The rows of the action list a listing's filters pick, in the scope they are read from. */
function actionConditions(filter: ListActionsRequest, actor: Actor, scope: ReadScope): SqlConditions {
  const where = filterConditions(filter, actor, scope.today, scope.restrict(new SqlConditions(), actionList), LIST_COLUMNS);
  if (filter.q) {
    // Words of the action itself, or of the review it answers (as the review read then). The reviews
    // are found first, as an array, so that both sides are index scans PostgreSQL can OR together.
    where.add((p) => {
      const query = searchQuery(p(filter.q));
      const reviews = `SELECT key FROM ${scope.table(reviewList)} WHERE search @@ ${query} AND ${scope.rowsOf(p, reviewList)}`;
      return `(search @@ ${query} OR review_id = ANY(ARRAY(${reviews})))`;
    });
  }
  return where;
}

/** How the filters read a row: the action list has columns for being outstanding and for its themes' keys; a tally's cells work them out. */
type FilterColumns = Readonly<{ outstanding: string; hasTheme: (key: string) => string }>;
const LIST_COLUMNS: FilterColumns = { outstanding: 'outstanding', hasTheme: (key) => `theme_keys ? ${key}` };
const CELL_COLUMNS: FilterColumns = {
  outstanding: `(${outstandingSql('status')})`,
  hasTheme: (key) => `lower(themes::text)::jsonb ? ${key}`,
};

/** Every filter but the words, as conditions over the columns an action list row and a tally's cell share. */
function filterConditions(
  filter: ListActionsRequest,
  actor: Actor,
  today: string,
  where: SqlConditions,
  columns: FilterColumns,
): SqlConditions {
  const { outstanding } = columns;
  const partner = listablePartner(actor, filter.partner);
  if (partner !== undefined) where.add((p) => `partner_id = ${p(partner)}`);
  if (filter.status === 'outstanding') where.add(() => outstanding);
  else if (filter.status) where.add((p) => `status = ${p(filter.status)}`);
  if (filter.overdue !== undefined) {
    where.add((p) => `${filter.overdue === 'true' ? '' : 'NOT '}${overdueSql(outstanding, 'due_date', p(today))}`);
  }
  if (filter.theme) where.add((p) => columns.hasTheme(p(themeKey(filter.theme!))));
  if (filter.extension === 'pending') where.add(() => 'extension_pending');
  if (filter.assurance) where.add((p) => `assurance = ${p(filter.assurance)}`);
  if (filter.impact === 'due') where.add(() => 'impact_check_due IS NOT NULL');
  else if (filter.impact === 'overdue') where.add((p) => `impact_check_due < ${p(today)}`);
  if (filter.review) where.add((p) => `review_id = ${p(filter.review)}`);
  if (filter.dueWithin !== undefined) {
    where.add((p) => `${outstanding} AND due_date >= ${p(today)} AND due_date <= ${p(addDays(today, filter.dueWithin!))}`);
  }
  return where;
}

/**
 * How many actions the filters find. As of a past position or day, from the tallies the counts keep
 * (counting the versions valid then would scan the whole history); otherwise, and with words to
 * find, by counting the rows themselves.
 */
async function totalOf(
  client: PoolClient,
  filter: ListActionsRequest,
  actor: Actor,
  scope: ReadScope,
  where: SqlConditions,
): Promise<number> {
  if (!scope.isNow && !filter.q) {
    const counts = await ActionCounts.read(client, scope, (cells) => filterConditions(filter, actor, scope.today, cells, CELL_COLUMNS));
    return counts.total.total;
  }
  const { rows } = await client.query<{ total: number }>(
    `SELECT count(*)::int AS total FROM ${scope.table(actionList)} ${where.sql()}`,
    where.params,
  );
  return rows[0].total;
}

type ListedRow = { doc: ActionDocument; raised_position: string; sort_key: string };

/** One page of the listing: the rows after (or before) a cursor, in the listing's order. */
async function pageOf(
  client: PoolClient,
  table: string,
  where: SqlConditions,
  order: { key: string; descending: boolean },
  cursor: Cursor | undefined,
  limit: number,
): Promise<ListedRow[]> {
  // A page before a cursor is read backwards from it, then turned round.
  const descending = order.descending !== (cursor?.before ?? false);
  if (cursor) {
    where.add((p) => `(${order.key}, raised_position) ${descending ? '<' : '>'} (${p(cursor.key)}, ${p(cursor.position)}::bigint)`);
  }
  const direction = descending ? 'DESC' : 'ASC';
  const { rows } = await client.query<ListedRow>(
    `SELECT doc, raised_position, (${order.key})::text AS sort_key FROM ${table} ${where.sql()}
      ORDER BY ${order.key} ${direction}, raised_position ${direction} LIMIT ${where.param(limit)}`,
    where.params,
  );
  return rows;
}

/** Actions filtered by index, in the order asked for (as raised unless told), a page at a time, with how many there are in all. */
@QueryHandler(ListActionsQuery)
export class ListActionsHandler implements IQueryHandler<ListActionsQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly scopes: ReadScopes,
  ) {}

  async execute({ filter, actor }: ListActionsQuery): Promise<ActionPageView> {
    const scope = await this.scopes.resolve(filter);
    const where = actionConditions(filter, actor, scope);
    const table = scope.table(actionList);
    return onSnapshot(this.pool, async (client) => {
      const total = await totalOf(client, filter, actor, scope, where);
      const order = ORDERS[filter.sort ?? 'raised'];
      const cursor = filter.cursor ? decodeCursor(filter.cursor, order) : undefined;
      const limit = filter.limit ?? 100;
      const rows = await pageOf(client, table, where, order, cursor, limit + 1);
      const more = rows.length > limit;
      const page = cursor?.before ? rows.slice(0, limit).reverse() : rows.slice(0, limit);
      const [first, last] = [page.at(0), page.at(-1)];
      const hasNext = cursor?.before ? true : more;
      const hasPrevious = cursor?.before ? more : cursor !== undefined;
      return {
        items: page.map((row) => actionView(row.doc, scope.today)),
        total,
        nextCursor: hasNext && last ? encodeCursor({ key: last.sort_key, position: last.raised_position, before: false }) : null,
        previousCursor: hasPrevious && first ? encodeCursor({ key: first.sort_key, position: first.raised_position, before: true }) : null,
      };
    });
  }
}

const EXPORT_BATCH = 1000;

@QueryHandler(ExportActionsQuery)
export class ExportActionsHandler implements IQueryHandler<ExportActionsQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly scopes: ReadScopes,
  ) {}

  async execute({ filter, actor, write }: ExportActionsQuery): Promise<void> {
    const scope = await this.scopes.resolve(filter);
    const table = scope.table(actionList);
    const order = ORDERS[filter.sort ?? 'raised'];
    await onSnapshot(this.pool, async (client) => {
      let cursor: Cursor | undefined;
      for (;;) {
        const rows = await pageOf(client, table, actionConditions(filter, actor, scope), order, cursor, EXPORT_BATCH);
        await write(rows.map((row) => actionView(row.doc, scope.today)));
        const last = rows.at(-1);
        if (rows.length < EXPORT_BATCH || !last) return;
        cursor = { key: last.sort_key, position: last.raised_position, before: false };
      }
    });
  }
}

@QueryHandler(GetActionHistoryQuery)
export class GetActionHistoryHandler implements IQueryHandler<GetActionHistoryQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ actionId, actor, moment }: GetActionHistoryQuery): Promise<HistoryEntryView[]> {
    const recorded = (await this.store.readStream(actionStream(actionId))).events;
    const events = recorded.filter((event) => seenAt(event, moment));
    if (events.length === 0) throw notFound();
    // A partner lead reads the whole history of an action its agency owns (or owned then), and of no other.
    const action = fold(actionDecider, readableEvents<ActionEvent>(events));
    // An action whose raising cannot be read has no owner to check against: only those who read everything see it.
    if (action.exists) requireReadAccess(actor, action);
    else if (!readsEverything(actor)) throw notFound();
    return events.map(historyEntry);
  }
}
