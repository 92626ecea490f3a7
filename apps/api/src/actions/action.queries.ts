import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Pool } from 'pg';
import { ActionEvent, Actor, NotFound, actionDecider, actionStream, fold, listablePartner, requireReadAccess, themeKey } from '@app/domain';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { ActionDocument, actionList, overdueSql } from '@app/read-models';
import { DATABASE_POOL } from '../database/database-pool';
import { isLogPosition } from '../http/fields';
import { ValidationFailed } from '../http/problem';
import { ReadScopes, documentsIn } from '../reads/read-scope';
import { SqlConditions } from '../reads/sql-conditions';
import { ActionPageView, ActionView, HistoryEntryView, actionView, historyEntry } from './action.view';
import { ListActionsRequest } from './actions.request.dto';
import { toDomainEvent } from '../write/stream-writer';

export class GetActionQuery extends Query<ActionView> {
  constructor(
    readonly actionId: string,
    readonly actor: Actor,
    readonly asOf?: string,
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

export class GetActionHistoryQuery extends Query<HistoryEntryView[]> {
  constructor(
    readonly actionId: string,
    readonly actor: Actor,
    /** The history up to this instant only, authorised against who owned the action then. */
    readonly asOf?: string,
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

  async execute({ actionId, actor, asOf }: GetActionQuery): Promise<ActionView> {
    const scope = await this.scopes.resolve(asOf);
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
    return actionView(action, scope.today);
  }
}

const CURSOR = /^a(\d+)$/;
const encodeCursor = (raisedPosition: string) => Buffer.from(`a${raisedPosition}`).toString('base64url');

function decodeCursor(cursor: string): string {
  const match = CURSOR.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match || !isLogPosition(match[1]))
    throw new ValidationFailed([{ field: 'cursor', message: 'must be a nextCursor from an earlier page' }]);
  return match[1];
}

/** Actions in the order they were raised, filtered by index, a page at a time. */
@QueryHandler(ListActionsQuery)
export class ListActionsHandler implements IQueryHandler<ListActionsQuery> {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    private readonly scopes: ReadScopes,
  ) {}

  async execute({ filter, actor }: ListActionsQuery): Promise<ActionPageView> {
    const scope = await this.scopes.resolve(filter.asOf);
    const today = scope.today;
    const where = scope.restrict(new SqlConditions());
    const partner = listablePartner(actor, filter.partner);
    if (partner !== undefined) where.add((p) => `partner_id = ${p(partner)}`);
    if (filter.status === 'outstanding') where.add(() => 'outstanding');
    else if (filter.status) where.add((p) => `status = ${p(filter.status)}`);
    if (filter.overdue !== undefined) {
      where.add((p) => `${filter.overdue === 'true' ? '' : 'NOT '}${overdueSql('outstanding', 'due_date', p(today))}`);
    }
    if (filter.theme) where.add((p) => `theme_keys ? ${p(themeKey(filter.theme!))}`);
    if (filter.extension === 'pending') where.add(() => 'extension_pending');
    if (filter.assurance) where.add((p) => `assurance = ${p(filter.assurance)}`);
    if (filter.impact === 'due') where.add(() => 'impact_check_due IS NOT NULL');
    else if (filter.impact === 'overdue') where.add((p) => `impact_check_due < ${p(today)}`);
    if (filter.review) where.add((p) => `review_id = ${p(filter.review)}`);
    if (filter.cursor) where.add((p) => `raised_position > ${p(decodeCursor(filter.cursor!))}`);
    const limit = filter.limit ?? 100;
    const { rows } = await this.pool.query<{ doc: ActionDocument; raised_position: string }>(
      `SELECT doc, raised_position FROM ${scope.table(actionList)} ${where.sql()} ORDER BY raised_position LIMIT ${where.param(limit + 1)}`,
      where.params,
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map((row) => actionView(row.doc, today)),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].raised_position) : null,
    };
  }
}

@QueryHandler(GetActionHistoryQuery)
export class GetActionHistoryHandler implements IQueryHandler<GetActionHistoryQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ actionId, actor, asOf }: GetActionHistoryQuery): Promise<HistoryEntryView[]> {
    const recorded = (await this.store.readStream(actionStream(actionId))).events;
    const events = asOf ? recorded.filter((event) => event.recordedAt.getTime() <= Date.parse(asOf)) : recorded;
    if (events.length === 0) throw notFound();
    // A partner lead reads the whole history of an action its agency owns (or owned at `asOf`), and of no other.
    const action = fold(actionDecider, events.map(toDomainEvent<ActionEvent>));
    if (action.exists) requireReadAccess(actor, action);
    return events.map(historyEntry);
  }
}
