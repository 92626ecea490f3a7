import { Correction } from '../shared/correction';
import { DomainEvent } from '../shared/decider';
import {
  CalendarDate,
  EventSchemas,
  Fields,
  Id,
  Link,
  OneOf,
  Slug,
  Text,
  Themes,
  corrected,
  optional,
  previous,
} from '../shared/event-schema';
import { TEXT_LIMITS } from '../shared/value-rules';

export const CLOSURE_OUTCOMES = ['impact-evidenced', 'completed', 'superseded'] as const;
export type ClosureOutcome = (typeof CLOSURE_OUTCOMES)[number];

export type ActionRaised = DomainEvent<
  'ActionRaised',
  {
    actionId: string;
    recommendationId: string;
    reviewId: string;
    description: string;
    successMeasure?: string;
    themes: readonly string[];
  }
>;
export type ActionAssigned = DomainEvent<'ActionAssigned', { partnerId: string; dueDate: string; lead?: string }>;
export type ActionReassigned = DomainEvent<
  'ActionReassigned',
  /** `previousDueDate` and `reason` are absent from reassignments recorded before a reason was required. */
  { partnerId: string; dueDate: string; lead?: string; previousPartnerId: string; previousDueDate?: string; reason?: string }
>;
export type ActionDueDateRevised = DomainEvent<'ActionDueDateRevised', { dueDate: string; previousDueDate: string; reason: string }>;
export type ActionProgressNoted = DomainEvent<'ActionProgressNoted', { note: string }>;
/** `submittedBy`: who submitted it (their `sub`); absent from evidence recorded before it was kept. */
export type EvidenceSubmitted = DomainEvent<
  'EvidenceSubmitted',
  { evidenceId: string; summary: string; link?: string; submittedBy?: string }
>;
export type EvidenceAccepted = DomainEvent<'EvidenceAccepted', { evidenceId: string; note?: string }>;
export type EvidenceRejected = DomainEvent<'EvidenceRejected', { evidenceId: string; reason: string }>;
/**
 * Evidence taken back (a wrong sample, a policy rescinded), saying what it was when withdrawn:
 * accepted evidence withdrawn from a closed action leaves its assurance stale.
 */
export type EvidenceWithdrawn = DomainEvent<'EvidenceWithdrawn', { evidenceId: string; reason: string; was: 'submitted' | 'accepted' }>;
/** The subgroup assures a closed action again after the evidence behind it was withdrawn. */
export type AssuranceRenewed = DomainEvent<'AssuranceRenewed', { note: string }>;
/** `impactReviewDue`: when the subgroup is to check the impact of an action closed as `completed`. */
export type ActionClosed = DomainEvent<'ActionClosed', { outcome: ClosureOutcome; rationale: string; impactReviewDue?: string }>;
export type ActionReopened = DomainEvent<'ActionReopened', { reason: string }>;
export type ActionWithdrawn = DomainEvent<'ActionWithdrawn', { reason: string }>;

export type ExtensionRequested = DomainEvent<
  'ExtensionRequested',
  { requestId: string; dueDate: string; reason: string; requestedBy: string }
>;
export type ExtensionApproved = DomainEvent<
  'ExtensionApproved',
  { requestId: string; dueDate: string; previousDueDate: string; note?: string; decidedBy: string }
>;
/** Refused by the subgroup, or by the action moving on: reassigned, closed or withdrawn while the request waited. */
export type ExtensionRefused = DomainEvent<'ExtensionRefused', { requestId: string; reason: string; decidedBy: string }>;

export const IMPACT_RESULTS = ['evidenced', 'not-evidenced'] as const;
export type ImpactResult = (typeof IMPACT_RESULTS)[number];
export type ImpactRecorded = DomainEvent<'ImpactRecorded', { result: ImpactResult; note: string }>;

/** The texts of an action that a correction may change. */
export type ActionTexts = Readonly<{ description: string; successMeasure?: string }>;
export type ActionCorrected = DomainEvent<'ActionCorrected', Correction<ActionTexts> & { reason: string }>;

export type ActionEvent =
  | ActionRaised
  | ActionAssigned
  | ActionReassigned
  | ActionDueDateRevised
  | ActionProgressNoted
  | EvidenceSubmitted
  | EvidenceAccepted
  | EvidenceRejected
  | EvidenceWithdrawn
  | AssuranceRenewed
  | ActionClosed
  | ActionReopened
  | ActionWithdrawn
  | ExtensionRequested
  | ExtensionApproved
  | ExtensionRefused
  | ImpactRecorded
  | ActionCorrected;

const REASON = Text(TEXT_LIMITS.long);
const ACTION_TEXTS: Fields<ActionTexts> = { description: Text(TEXT_LIMITS.long), successMeasure: optional(Text(TEXT_LIMITS.long)) };

export const ACTION_EVENT_SCHEMAS: EventSchemas<ActionEvent> = {
  ActionRaised: {
    actionId: Id,
    recommendationId: Id,
    reviewId: Id,
    description: Text(TEXT_LIMITS.long),
    successMeasure: optional(Text(TEXT_LIMITS.long)),
    themes: Themes,
  },
  ActionAssigned: { partnerId: Slug, dueDate: CalendarDate, lead: optional(Text(TEXT_LIMITS.name)) },
  ActionReassigned: {
    partnerId: Slug,
    dueDate: CalendarDate,
    lead: optional(Text(TEXT_LIMITS.name)),
    previousPartnerId: Slug,
    previousDueDate: optional(CalendarDate),
    reason: optional(REASON),
  },
  ActionDueDateRevised: { dueDate: CalendarDate, previousDueDate: CalendarDate, reason: REASON },
  ActionProgressNoted: { note: REASON },
  EvidenceSubmitted: { evidenceId: Id, summary: Text(TEXT_LIMITS.long), link: optional(Link), submittedBy: optional(Id) },
  EvidenceAccepted: { evidenceId: Id, note: optional(REASON) },
  EvidenceRejected: { evidenceId: Id, reason: REASON },
  EvidenceWithdrawn: { evidenceId: Id, reason: REASON, was: OneOf(['submitted', 'accepted'] as const) },
  AssuranceRenewed: { note: REASON },
  ActionClosed: { outcome: OneOf(CLOSURE_OUTCOMES), rationale: REASON, impactReviewDue: optional(CalendarDate) },
  ActionReopened: { reason: REASON },
  ActionWithdrawn: { reason: REASON },
  ExtensionRequested: { requestId: Id, dueDate: CalendarDate, reason: REASON, requestedBy: Id },
  ExtensionApproved: { requestId: Id, dueDate: CalendarDate, previousDueDate: CalendarDate, note: optional(REASON), decidedBy: Id },
  ExtensionRefused: { requestId: Id, reason: REASON, decidedBy: Id },
  ImpactRecorded: { result: OneOf(IMPACT_RESULTS), note: REASON },
  ActionCorrected: { corrected: corrected(ACTION_TEXTS), previous: previous(ACTION_TEXTS), reason: REASON },
};
