import {
  Action,
  ActionEvent,
  Assurance,
  actionStream,
  assuranceOf,
  evolveAction,
  impactCheckDue,
  noAction,
  pendingExtension,
} from '@app/domain';
import { RecordedEvent } from '@app/event-store';
import { Projection } from '@app/projections';
import { actionEventsSql, outstandingSql } from './action-policy.sql';
import { searchable } from './search.sql';
import { dataOf, dayOf, dayOfChange } from './event-data';

/**
 * One action as every reader sees it: its state, where and when it was raised and last changed,
 * and what the partnership's policy makes of it, for the columns that filter and count by it.
 */
export type ActionDocument = Action &
  Readonly<{
    version: number;
    raisedAt: string;
    updatedAt: string;
    raisedPosition: string;
    /** The days this version (see `dayOfChange`), the raising and the latest closing count on in reports (see `dayOf`). */
    changedOn: string;
    raisedOn: string;
    closedOn?: string;
    /** The type of the event that made this version. */
    change: string;
    assurance?: Assurance;
    extensionPending: boolean;
    impactCheckDue?: string;
  }>;

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
    changedOn: dayOfChange(doc, event),
    raisedOn: doc?.raisedOn ?? dayOf(event),
    closedOn: state.status === 'closed' ? (event.type === 'ActionClosed' ? dayOf(event) : doc?.closedOn) : undefined,
    change: event.type,
    assurance: assuranceOf(state.status, state.evidence),
    extensionPending: pendingExtension(state.extensions) !== undefined,
    impactCheckDue: impactCheckDue(state),
  };
}

/** Every action, with columns to answer "who owns what, in what state, due when" by index. */
export const actionList: Projection<ActionDocument> = {
  name: 'action-list',
  version: 14,
  table: 'action_list',
  columns: [
    "raised_position bigint GENERATED ALWAYS AS ((doc->>'raisedPosition')::bigint) STORED",
    "partner_id text GENERATED ALWAYS AS (doc->>'partnerId') STORED",
    "review_id text GENERATED ALWAYS AS (doc->>'reviewId') STORED",
    "recommendation_id text GENERATED ALWAYS AS (doc->>'recommendationId') STORED",
    "themes jsonb GENERATED ALWAYS AS (doc->'themes') STORED",
    // Themes compare without case: the filter matches these keys (themes are stored trimmed).
    "theme_keys jsonb GENERATED ALWAYS AS (lower(doc->>'themes')::jsonb) STORED",
    "status text GENERATED ALWAYS AS (doc->>'status') STORED",
    "due_date text GENERATED ALWAYS AS (doc->>'dueDate') STORED",
    `outstanding boolean GENERATED ALWAYS AS (${outstandingSql("doc->>'status'")}) STORED`,
    "assurance text GENERATED ALWAYS AS (doc->>'assurance') STORED",
    "extension_pending boolean GENERATED ALWAYS AS (coalesce((doc->>'extensionPending')::boolean, false)) STORED",
    "impact_check_due text GENERATED ALWAYS AS (doc->>'impactCheckDue') STORED",
    "assurance_stale boolean GENERATED ALWAYS AS (coalesce((doc->>'assuranceStale')::boolean, false)) STORED",
    "updated_at text GENERATED ALWAYS AS (doc->>'updatedAt') STORED",
    // What reports read of every version, as columns: reading them from the document would unpack it each time.
    "changed_on text GENERATED ALWAYS AS (doc->>'changedOn') STORED",
    "change text GENERATED ALWAYS AS (doc->>'change') STORED",
    "raised_on text GENERATED ALWAYS AS (doc->>'raisedOn') STORED",
    "closed_on text GENERATED ALWAYS AS (doc->>'closedOn') STORED",
    "outcome text GENERATED ALWAYS AS (doc->>'outcome') STORED",
    "original_due_date text GENERATED ALWAYS AS (doc->>'originalDueDate') STORED",
    // Words of the description and the lead, for `q`; the review's reference and title are searched in the review list.
    `search tsvector GENERATED ALWAYS AS (${searchable("doc->>'description'", "doc->>'lead'")}) STORED`,
  ],
  indexes: [
    '(raised_position)',
    '(partner_id, raised_position)',
    '(review_id)',
    '(status)',
    'USING gin (theme_keys)',
    '(raised_position) WHERE extension_pending',
    '(impact_check_due) WHERE impact_check_due IS NOT NULL',
    '(partner_id) WHERE assurance_stale',
    '(due_date, raised_position)',
    '(updated_at, raised_position)',
    // The changes reports count: closings and the decisions on extensions, by day.
    `(changed_on) WHERE change IN (${actionEventsSql('ActionClosed', 'ExtensionRequested', 'ExtensionApproved', 'ExtensionRefused')})`,
    'USING gin (search)',
  ],
  keyedWithinStream: true,
  dayField: 'changedOn',
  handles: (event) => event.streamId.startsWith(STREAM_PREFIX),
  keyOf: (event) => event.streamId.slice(STREAM_PREFIX.length),
  evolve: evolveActionDocument,
};
