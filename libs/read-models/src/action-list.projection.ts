import { Action, ActionEvent, actionStream, evolveAction, noAction } from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { Projection } from '@app/projections';
import { outstandingSql } from './action-policy.sql';
import { dataOf } from './event-data';

/** One action as every reader sees it: its state, and where and when it was raised and last changed. */
export type ActionDocument = Action & Readonly<{ version: number; raisedAt: string; updatedAt: string; raisedPosition: string }>;

const STREAM_PREFIX = actionStream('');

export function evolveActionDocument(doc: ActionDocument | undefined, event: RecordedEvent): ActionDocument | undefined {
  const state = evolveAction(doc ?? noAction, { type: event.type, data: dataOf<ActionEvent>(event) } as ActionEvent);
  if (!state.exists) return undefined;
  return {
    ...state,
    version: event.version,
    raisedAt: doc?.raisedAt ?? event.recordedAt.toISOString(),
    updatedAt: event.recordedAt.toISOString(),
    raisedPosition: doc?.raisedPosition ?? event.position.toString(),
  };
}

/** Every action, with columns to answer "who owns what, in what state, due when" by index. */
export const actionList: Projection<ActionDocument> = {
  name: 'action-list',
  version: 6,
  table: 'action_list',
  columns: [
    "raised_position bigint GENERATED ALWAYS AS ((doc->>'raisedPosition')::bigint) STORED",
    "partner_id text GENERATED ALWAYS AS (doc->>'partnerId') STORED",
    "review_id text GENERATED ALWAYS AS (doc->>'reviewId') STORED",
    "recommendation_id text GENERATED ALWAYS AS (doc->>'recommendationId') STORED",
    "themes jsonb GENERATED ALWAYS AS (doc->'themes') STORED",
    "status text GENERATED ALWAYS AS (doc->>'status') STORED",
    "due_date text GENERATED ALWAYS AS (doc->>'dueDate') STORED",
    `outstanding boolean GENERATED ALWAYS AS (${outstandingSql("doc->>'status'")}) STORED`,
  ],
  indexes: ['(raised_position)', '(partner_id, raised_position)', '(review_id)', '(status)', 'USING gin (themes)'],
  keyedWithinStream: true,
  handles: (event) => event.streamId.startsWith(STREAM_PREFIX),
  keyOf: (event) => event.streamId.slice(STREAM_PREFIX.length),
  evolve: evolveActionDocument,
};
