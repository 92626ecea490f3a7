import { ACTION_EVENT_SCHEMAS } from './actions/action.events';
import { PARTNER_REGISTRY_EVENT_SCHEMAS } from './partners/partner-registry.events';
import { RECOMMENDATION_EVENT_SCHEMAS } from './reviews/recommendation.events';
import { REVIEW_EVENT_SCHEMAS } from './reviews/review.events';
import { InvalidCommand } from './shared/errors';
import { Field, FieldProblem, OCCURRED_ON, Strictness, dataProblems } from './shared/event-schema';

/** Every event type the service records, with its one schema. */
const EVENT_SCHEMAS: Readonly<Record<string, Readonly<Record<string, Field>>>> = {
  ...PARTNER_REGISTRY_EVENT_SCHEMAS,
  ...REVIEW_EVENT_SCHEMAS,
  ...RECOMMENDATION_EVENT_SCHEMAS,
  ...ACTION_EVENT_SCHEMAS,
};

export const isKnownEventType = (type: string): boolean => Object.hasOwn(EVENT_SCHEMAS, type);

/** An event as a writer hands it over or a reader finds it: its type, its data, and the day it happened if an import recorded it later. */
export type EventFacts = Readonly<{ type: string; data: unknown; occurredOn?: unknown }>;

/** Where the event breaks its type's schema, at the strictness asked for; none when it holds to it. */
export function eventProblems({ type, data, occurredOn }: EventFacts, strictness: Strictness): FieldProblem[] {
  if (!isKnownEventType(type)) return [{ field: 'type', message: `is not a type of event this service records: ${type}` }];
  const problems = dataProblems(EVENT_SCHEMAS[type], data, strictness);
  if (occurredOn !== undefined) OCCURRED_ON.check(occurredOn, 'occurredOn', strictness, problems);
  return problems;
}

const said = (problems: readonly FieldProblem[]) => problems.map(({ field, message }) => `${field} ${message}`).join('; ');

/** An event the log would keep for good that does not hold to its schema: nothing is recorded. */
export class InvalidEvent extends InvalidCommand {
  constructor(
    readonly type: string,
    readonly problems: readonly FieldProblem[],
  ) {
    super('invalid-event', `What would be recorded (${type}) breaks the rules of what the log keeps: ${said(problems)}.`);
  }
}

/** What the write path holds every event to before it is appended: `requireRecordable`, throwing InvalidEvent. */
export type EventRules = (event: EventFacts) => void;

/** Refuses an event that does not hold to every rule of its type, before anything appends it. */
export function requireRecordable(event: EventFacts): void {
  const problems = eventProblems(event, 'append');
  if (problems.length > 0) throw new InvalidEvent(event.type, problems);
}

/** Why a reader cannot fold an event already in the log, or undefined when it can. */
export function whyUnreadable(event: EventFacts): string | undefined {
  const problems = eventProblems(event, 'fold');
  return problems.length > 0 ? said(problems) : undefined;
}
