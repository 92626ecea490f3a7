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
export type ActionClosed = DomainEvent<'ActionClosed', { outcome: ClosureOutcome; rationale: string }>;
export type ActionReopened = DomainEvent<'ActionReopened', { reason: string }>;
export type ActionWithdrawn = DomainEvent<'ActionWithdrawn', { reason: string }>;

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
  | ActionWithdrawn;
