import { Correction } from '../shared/correction';
import { DomainEvent } from '../shared/decider';

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
  | ActionClosed
  | ActionReopened
  | ActionWithdrawn
  | ExtensionRequested
  | ExtensionApproved
  | ExtensionRefused
  | ImpactRecorded
  | ActionCorrected;
