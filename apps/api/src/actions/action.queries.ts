import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { Action, ActionEvent, Actor, NotFound, actionDecider, actionStream, fold, requireReadAccess } from '@app/domain';
import { EVENT_STORE, EventStore, RecordedEvent } from '@app/event-store';
import { CLOCK, Clock, utcDate } from '../clock/clock';
import { toDomainEvent } from '../write/stream-writer';
import { ActionView, HistoryEntryView, actionView, historyEntry } from './action.view';

export class GetActionQuery extends Query<ActionView> {
  constructor(
    readonly actionId: string,
    readonly actor: Actor,
  ) {
    super();
  }
}

export class GetActionHistoryQuery extends Query<HistoryEntryView[]> {
  constructor(readonly actionId: string) {
    super();
  }
}

async function readAction(store: EventStore, actionId: string): Promise<{ action: Action; events: RecordedEvent[] }> {
  const { events } = await store.readStream(actionStream(actionId));
  const action = fold(actionDecider, events.map(toDomainEvent<ActionEvent>));
  if (!action.exists) throw new NotFound('action-not-found', 'No action has that id.');
  return { action, events };
}

@QueryHandler(GetActionQuery)
export class GetActionHandler implements IQueryHandler<GetActionQuery> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute({ actionId, actor }: GetActionQuery): Promise<ActionView> {
    const { action, events } = await readAction(this.store, actionId);
    requireReadAccess(actor, action);
    return actionView(action, events, utcDate(this.clock()));
  }
}

@QueryHandler(GetActionHistoryQuery)
export class GetActionHistoryHandler implements IQueryHandler<GetActionHistoryQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async execute({ actionId }: GetActionHistoryQuery): Promise<HistoryEntryView[]> {
    return (await readAction(this.store, actionId)).events.map(historyEntry);
  }
}
