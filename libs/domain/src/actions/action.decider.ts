import { Actor } from '../shared/actor';
import { actsForPartnership, readsEverything } from '../shared/permissions';
import { Decider, byType } from '../shared/decider';
import { DomainError, Forbidden, InvalidCommand, NotFound, StateConflict } from '../shared/errors';
import { sameValue } from '../shared/same';
import { addDays, addMonths, dayInWords } from '../shared/calendar';
import { correctionOf } from '../shared/correction';
import { themesOrInherited } from '../shared/themes';
import { Partner } from '../partners/partner-registry.state';
import { RecommendationState } from '../reviews/recommendation.state';
import { ActionEvent, ActionRaised, ActionTexts, ClosureOutcome, ImpactResult } from './action.events';
import { isOutstanding, pendingExtension } from './action.policy';
import { Action, ActionState, Evidence, evolveAction, isStanding, noAction } from './action.state';

export const actionStream = (actionId: string): string => `action-${actionId}`;

type Issued<Type extends string, Data> = Readonly<{ type: Type; actor: Actor } & Data>;
/** Issued on a day (in England, YYYY-MM-DD): the due dates it sets, and the action's, are judged against it. */
type Dated<Type extends string, Data> = Issued<Type, Data & { today: string }>;

/** `themes` omitted or empty: the action carries its recommendation's. */
export type RaiseAction = Issued<
  'RaiseAction',
  {
    actionId: string;
    description: string;
    successMeasure?: string;
    themes?: readonly string[];
    recommendation: RecommendationState;
  }
>;
/**
 * Assigns a raised action, or reassigns an outstanding one. `partner` is undefined when no partner
 * has the id; `reason` says why, and a reassignment needs one. `fromImport`: the plan is carried
 * over as it stood, so a due date already past is kept rather than refused.
 */
export type AssignAction = Dated<
  'AssignAction',
  { partnerId: string; partner: Partner | undefined; dueDate: string; lead?: string; reason?: string; fromImport?: boolean }
>;
export type ReviseDueDate = Dated<'ReviseDueDate', { dueDate: string; reason: string }>;
export type RequestExtension = Dated<'RequestExtension', { requestId: string; dueDate: string; reason: string }>;
export type ApproveExtension = Dated<'ApproveExtension', { requestId: string; note?: string }>;
export type RefuseExtension = Dated<'RefuseExtension', { requestId: string; reason: string }>;
export type RecordImpact = Dated<'RecordImpact', { result: ImpactResult; note: string }>;
export type CorrectAction = Dated<'CorrectAction', Partial<ActionTexts> & { reason: string }>;
export type NoteProgress = Dated<'NoteProgress', { note: string }>;
export type SubmitEvidence = Dated<'SubmitEvidence', { evidenceId: string; summary: string; link?: string }>;
export type AcceptEvidence = Dated<'AcceptEvidence', { evidenceId: string; note?: string }>;
export type RejectEvidence = Dated<'RejectEvidence', { evidenceId: string; reason: string }>;
export type WithdrawEvidence = Dated<'WithdrawEvidence', { evidenceId: string; reason: string }>;
export type ReassureAction = Dated<'ReassureAction', { note: string }>;
/** `fromImport`: a closing carried over from the plan a partnership kept before, whose evidence was assured there. */
export type CloseAction = Dated<'CloseAction', { outcome: ClosureOutcome; rationale: string; fromImport?: boolean }>;
export type ReopenAction = Dated<'ReopenAction', { reason: string }>;
export type WithdrawAction = Dated<'WithdrawAction', { reason: string }>;

export type ActionCommand =
  | RaiseAction
  | AssignAction
  | ReviseDueDate
  | NoteProgress
  | SubmitEvidence
  | AcceptEvidence
  | RejectEvidence
  | WithdrawEvidence
  | ReassureAction
  | CloseAction
  | ReopenAction
  | WithdrawAction
  | RequestExtension
  | ApproveExtension
  | RefuseExtension
  | RecordImpact
  | CorrectAction;

/** How long after an action is completed the subgroup checks whether practice changed. */
export const IMPACT_REVIEW_MONTHS = 6;

const ownsAction = (actor: Actor, action: Action): boolean => actor.partnerId !== undefined && actor.partnerId === action.partnerId;

function refuseOtherPartner(): never {
  throw new Forbidden('not-your-action', 'This action is owned by another partner agency.');
}

/** Partner agency users may see only the actions their own agency owns. */
export function requireReadAccess(actor: Actor, action: Action): void {
  if (!readsEverything(actor) && !ownsAction(actor, action)) refuseOtherPartner();
}

/**
 * Whose actions a listing may show: any partner's (or all, when none is asked for) to those who
 * read everything; only its own agency's to a partner agency user, who may not ask for another's.
 */
export function listablePartner(actor: Actor, requested?: string): string | undefined {
  if (readsEverything(actor)) return requested;
  if (requested !== undefined && requested !== actor.partnerId) {
    throw new Forbidden('not-your-partner', "Partner agency users may list only their own agency's actions.");
  }
  return actor.partnerId;
}

/** Partner agency users may note progress on and evidence only the actions their own agency owns. */
function requireWorkAccess(actor: Actor, action: Action): void {
  if (!actsForPartnership(actor) && !ownsAction(actor, action)) refuseOtherPartner();
}

/** Nobody assures their own work: evidence is accepted by someone other than who submitted it. */
function requireSomeoneElse(actor: Actor, evidence: Evidence): void {
  if (evidence.submittedBy === actor.userId) {
    throw new Forbidden(
      'own-evidence-assurance',
      'You submitted this evidence: someone else in the subgroup must decide whether to accept it.',
    );
  }
}

function requireIndependentAssurance(actor: Actor, action: Action): void {
  if (actor.partnerId !== undefined && actor.partnerId === action.partnerId) {
    throw new Forbidden('own-action-assurance', 'Partners may not assure or close their own actions.');
  }
}

function requireOutstanding(action: Action, doing: string): void {
  if (!isOutstanding(action.status)) {
    throw new StateConflict(`action-${action.status}`, `Cannot ${doing}: the action is ${action.status}.`);
  }
}

function requireAssigned(action: Action, doing: string): void {
  requireOutstanding(action, doing);
  if (action.status === 'raised') {
    throw new StateConflict('action-not-assigned', `Cannot ${doing}: the action has not been assigned to a partner.`);
  }
}

function findEvidence(action: Action, evidenceId: string) {
  const evidence = action.evidence.find((item) => item.id === evidenceId);
  if (!evidence) throw new NotFound('evidence-not-found', 'The action has no evidence with that id.');
  return evidence;
}

function requireUndecided(command: AcceptEvidence | RejectEvidence, action: Action, doing: string): void {
  const evidence = findEvidence(action, command.evidenceId);
  requireIndependentAssurance(command.actor, action);
  requireOutstanding(action, doing);
  if (evidence.status !== 'submitted') {
    throw new StateConflict('evidence-decided', `Cannot ${doing}: the evidence was already ${evidence.status}.`);
  }
}

function raise(command: RaiseAction, state: ActionState): ActionEvent[] {
  const { recommendation } = command;
  if (!recommendation.recorded) throw new NotFound('recommendation-not-found', 'No recommendation has that id.');
  const data: ActionRaised['data'] = {
    actionId: command.actionId,
    recommendationId: recommendation.recommendationId,
    reviewId: recommendation.reviewId,
    description: command.description,
    successMeasure: command.successMeasure,
    themes: themesOrInherited(command.themes, recommendation.themes),
  };
  if (state.exists) {
    const { actionId, recommendationId, reviewId, description, successMeasure, themes } = state;
    if (sameValue({ actionId, recommendationId, reviewId, description, successMeasure, themes }, data)) return [];
    throw new StateConflict('action-exists', `Action '${command.actionId}' already exists.`);
  }
  return [{ type: 'ActionRaised', data }];
}

/** A due date is agreed from today on: one already past would make the action overdue the moment it was set. */
function requireNotPast(dueDate: string, today: string): void {
  if (dueDate < today) {
    throw new InvalidCommand(
      'due-date-in-past',
      `The due date ${dayInWords(dueDate)} has already passed: choose today (${dayInWords(today)}) or later.`,
    );
  }
}

/** An action that moves on (reassigned, closed, withdrawn) leaves no request for more time waiting: it is refused, saying why. */
function refusePending(action: Action, actor: Actor, because: string): ActionEvent[] {
  const pending = pendingExtension(action.extensions);
  if (!pending) return [];
  return [{ type: 'ExtensionRefused', data: { requestId: pending.id, reason: because, decidedBy: actor.userId } }];
}

function assign(command: AssignAction, action: Action): ActionEvent[] {
  requireOutstanding(action, 'assign the action');
  if (!command.partner) throw new NotFound('partner-not-found', `No partner is registered as '${command.partnerId}'.`);
  const assignment = { partnerId: command.partnerId, dueDate: command.dueDate, lead: command.lead };
  const current = { partnerId: action.partnerId, dueDate: action.dueDate, lead: action.lead };
  if (action.status !== 'raised' && sameValue(current, assignment)) return [];
  if (!command.fromImport) requireNotPast(command.dueDate, command.today);
  if (action.status === 'raised') return [{ type: 'ActionAssigned', data: assignment }];
  if (!command.reason) {
    throw new InvalidCommand('reason-required', 'Say why the action is being reassigned: a reassignment needs a reason.');
  }
  const previous = { previousPartnerId: action.partnerId as string, previousDueDate: action.dueDate as string };
  return [
    ...refusePending(action, command.actor, 'The action was reassigned.'),
    { type: 'ActionReassigned', data: { ...assignment, ...previous, reason: command.reason } },
  ];
}

function findExtension(action: Action, requestId: string) {
  const request = action.extensions.find((item) => item.id === requestId);
  if (!request) throw new NotFound('extension-request-not-found', 'The action has no extension request with that id.');
  return request;
}

function requestExtension(command: RequestExtension, action: Action): ActionEvent[] {
  requireWorkAccess(command.actor, action);
  const data = { requestId: command.requestId, dueDate: command.dueDate, reason: command.reason };
  const existing = action.extensions.find((item) => item.id === command.requestId);
  if (existing) {
    if (sameValue({ requestId: existing.id, dueDate: existing.dueDate, reason: existing.reason }, data)) return [];
    throw new StateConflict('extension-request-exists', `Extension request '${command.requestId}' already exists.`);
  }
  requireAssigned(action, 'request an extension');
  if (pendingExtension(action.extensions)) {
    throw new StateConflict('extension-pending', 'An extension request for this action already awaits a decision.');
  }
  if (command.dueDate <= (action.dueDate as string)) {
    throw new InvalidCommand(
      'extension-not-later',
      `An extension asks for a date later than the current due date, ${dayInWords(action.dueDate as string)}.`,
    );
  }
  requireNotPast(command.dueDate, command.today);
  return [{ type: 'ExtensionRequested', data: { ...data, requestedBy: command.actor.userId } }];
}

function decideExtension(command: ApproveExtension | RefuseExtension, action: Action): ActionEvent[] {
  const request = findExtension(action, command.requestId);
  requireIndependentAssurance(command.actor, action);
  if (request.status !== 'pending') {
    throw new StateConflict('extension-decided', `The extension request was already ${request.status}.`);
  }
  const decidedBy = command.actor.userId;
  if (command.type === 'RefuseExtension') {
    return [{ type: 'ExtensionRefused', data: { requestId: request.id, reason: command.reason, decidedBy } }];
  }
  if (request.dueDate < command.today) {
    throw new StateConflict(
      'extension-date-passed',
      `The date asked for, ${dayInWords(request.dueDate)}, has passed while the request waited: refuse it, and agree a new date.`,
    );
  }
  const data = { requestId: request.id, dueDate: request.dueDate, previousDueDate: action.dueDate as string, decidedBy };
  return [{ type: 'ExtensionApproved', data: { ...data, note: command.note } }];
}

function close(command: CloseAction, action: Action): ActionEvent[] {
  requireIndependentAssurance(command.actor, action);
  requireAssigned(action, 'close the action');
  if (command.outcome !== 'superseded' && !command.fromImport && !action.evidence.some((item) => item.status === 'accepted')) {
    throw new StateConflict(
      'no-accepted-evidence',
      `Cannot close as '${command.outcome}': no evidence has been accepted. Accept evidence first, or close as 'superseded'.`,
    );
  }
  const impactReviewDue = command.outcome === 'completed' ? addMonths(command.today, IMPACT_REVIEW_MONTHS) : undefined;
  return [
    ...refusePending(action, command.actor, 'The action was closed.'),
    { type: 'ActionClosed', data: { outcome: command.outcome, rationale: command.rationale, impactReviewDue } },
  ];
}

function recordImpact(command: RecordImpact, action: Action): ActionEvent[] {
  if (action.status !== 'closed') {
    throw new StateConflict(`action-${action.status}`, `Impact is recorded on a closed action; this one is ${action.status}.`);
  }
  if (action.outcome === 'superseded') {
    throw new StateConflict('action-superseded', 'The action was closed as superseded: there is no impact of it to check.');
  }
  if (action.impact !== undefined || action.outcome === 'impact-evidenced') {
    throw new StateConflict('impact-recorded', 'Whether this action changed practice is already recorded.');
  }
  return [{ type: 'ImpactRecorded', data: { result: command.result, note: command.note } }];
}

function correct(command: CorrectAction, action: Action): ActionEvent[] {
  const correction = correctionOf<ActionTexts>(action, command, ['description', 'successMeasure']);
  return correction ? [{ type: 'ActionCorrected', data: { ...correction, reason: command.reason } }] : [];
}

function reviseDueDate(command: ReviseDueDate, action: Action): ActionEvent[] {
  requireAssigned(action, 'revise the due date');
  if (action.dueDate === command.dueDate) return [];
  requireNotPast(command.dueDate, command.today);
  return [
    {
      type: 'ActionDueDateRevised',
      data: { dueDate: command.dueDate, previousDueDate: action.dueDate as string, reason: command.reason },
    },
  ];
}

/**
 * Evidence taken back by its owner or the subgroup, while it waits or once accepted, also from a
 * closed action (whose assurance then goes stale). Taking it back again changes nothing.
 */
function withdrawEvidence(command: WithdrawEvidence, action: Action): ActionEvent[] {
  requireWorkAccess(command.actor, action);
  const evidence = findEvidence(action, command.evidenceId);
  if (evidence.status === 'withdrawn') return [];
  if (action.status === 'withdrawn')
    throw new StateConflict('action-withdrawn', 'The action was withdrawn: its evidence stands as it was.');
  if (!isStanding(evidence)) {
    throw new StateConflict('evidence-decided', 'The evidence was rejected: there is nothing of it to withdraw.');
  }
  return [{ type: 'EvidenceWithdrawn', data: { evidenceId: evidence.id, reason: command.reason, was: evidence.status } }];
}

function reassure(command: ReassureAction, action: Action): ActionEvent[] {
  requireIndependentAssurance(command.actor, action);
  if (action.status !== 'closed' || !action.assuranceStale) {
    throw new StateConflict(
      'assurance-not-stale',
      'Only a closed action whose accepted evidence was withdrawn is assured again; this one has nothing to re-assure.',
    );
  }
  return [{ type: 'AssuranceRenewed', data: { note: command.note } }];
}

function submitEvidence(command: SubmitEvidence, action: Action): ActionEvent[] {
  requireWorkAccess(command.actor, action);
  const data = { evidenceId: command.evidenceId, summary: command.summary, link: command.link };
  const existing = action.evidence.find((item) => item.id === command.evidenceId);
  if (existing) {
    if (sameValue({ evidenceId: existing.id, summary: existing.summary, link: existing.link }, data)) return [];
    throw new StateConflict('evidence-exists', `Evidence '${command.evidenceId}' already exists.`);
  }
  requireAssigned(action, 'submit evidence');
  return [{ type: 'EvidenceSubmitted', data: { ...data, submittedBy: command.actor.userId } }];
}

const decideOnExisting = byType<Exclude<ActionCommand, RaiseAction>, [Action], ActionEvent[]>({
  AssignAction: assign,
  ReviseDueDate: reviseDueDate,
  NoteProgress: (command, action) => {
    requireWorkAccess(command.actor, action);
    requireOutstanding(action, 'note progress');
    return [{ type: 'ActionProgressNoted', data: { note: command.note } }];
  },
  SubmitEvidence: submitEvidence,
  AcceptEvidence: (command, action) => {
    requireUndecided(command, action, 'accept the evidence');
    requireSomeoneElse(command.actor, findEvidence(action, command.evidenceId));
    return [{ type: 'EvidenceAccepted', data: { evidenceId: command.evidenceId, note: command.note } }];
  },
  RejectEvidence: (command, action) => {
    requireUndecided(command, action, 'reject the evidence');
    return [{ type: 'EvidenceRejected', data: { evidenceId: command.evidenceId, reason: command.reason } }];
  },
  WithdrawEvidence: withdrawEvidence,
  ReassureAction: reassure,
  CloseAction: close,
  ReopenAction: (command, action) => {
    if (action.status !== 'closed') {
      throw new StateConflict(`action-${action.status}`, `Only a closed action can be reopened; this one is ${action.status}.`);
    }
    return [{ type: 'ActionReopened', data: { reason: command.reason } }];
  },
  WithdrawAction: (command, action) => {
    requireOutstanding(action, 'withdraw the action');
    return [
      ...refusePending(action, command.actor, 'The action was withdrawn.'),
      { type: 'ActionWithdrawn', data: { reason: command.reason } },
    ];
  },
  RequestExtension: requestExtension,
  ApproveExtension: decideExtension,
  RefuseExtension: decideExtension,
  RecordImpact: recordImpact,
  CorrectAction: correct,
});

/** A change to an action that exists: every command but raising one. */
export type ActionChange = Exclude<ActionCommand, RaiseAction>;

/**
 * Each change, asked for in the way least open to refusal: a due date not yet past and later than
 * the current one, the evidence or request still to decide, a closing as superseded. Undefined
 * when there is nothing the change could act on (no evidence to decide, no request pending).
 */
function probes(actor: Actor, action: Action, today: string): Record<ActionChange['type'], ActionChange | undefined> {
  const dated = { actor, today };
  const later = addDays(action.dueDate !== undefined && action.dueDate > today ? action.dueDate : today, 1);
  const undecided = action.evidence.find((item) => item.status === 'submitted');
  const standing = action.evidence.findLast(isStanding);
  const pending = pendingExtension(action.extensions);
  const reason = 'What can be done now';
  const partner = { id: action.partnerId ?? '', name: '' };
  return {
    AssignAction: { type: 'AssignAction', ...dated, partnerId: partner.id, partner, dueDate: later, reason },
    ReviseDueDate: { type: 'ReviseDueDate', ...dated, dueDate: later, reason },
    NoteProgress: { type: 'NoteProgress', ...dated, note: reason },
    SubmitEvidence: { type: 'SubmitEvidence', ...dated, evidenceId: '', summary: reason },
    AcceptEvidence: undecided && { type: 'AcceptEvidence', ...dated, evidenceId: undecided.id },
    RejectEvidence: undecided && { type: 'RejectEvidence', ...dated, evidenceId: undecided.id, reason },
    WithdrawEvidence: standing && { type: 'WithdrawEvidence', ...dated, evidenceId: standing.id, reason },
    ReassureAction: { type: 'ReassureAction', ...dated, note: reason },
    CloseAction: { type: 'CloseAction', ...dated, outcome: 'superseded', rationale: reason },
    ReopenAction: { type: 'ReopenAction', ...dated, reason },
    WithdrawAction: { type: 'WithdrawAction', ...dated, reason },
    RequestExtension: { type: 'RequestExtension', ...dated, requestId: '', dueDate: later, reason },
    ApproveExtension: pending && { type: 'ApproveExtension', ...dated, requestId: pending.id },
    RefuseExtension: pending && { type: 'RefuseExtension', ...dated, requestId: pending.id, reason },
    RecordImpact: { type: 'RecordImpact', ...dated, result: 'evidenced', note: reason },
    CorrectAction: { type: 'CorrectAction', ...dated, description: `${action.description} (corrected)`, reason },
  };
}

/**
 * What `actor` can do now to the action as it stands on `today`: the changes the decider itself
 * accepts, so that what a page or a client offers is never refused. Whether the actor's role may
 * make a change at all is the permissions' to say (`may`).
 */
export function changesOpen(actor: Actor, action: Action, today: string): ActionChange['type'][] {
  return Object.values(probes(actor, action, today)).flatMap((command) => {
    if (!command) return [];
    try {
      decideOnExisting(command, action);
      return [command.type];
    } catch (error) {
      if (error instanceof DomainError) return [];
      throw error;
    }
  });
}

export const actionDecider: Decider<ActionState, ActionCommand, ActionEvent> = {
  initialState: noAction,
  evolve: evolveAction,
  decide(command, state) {
    if (command.type === 'RaiseAction') return raise(command, state);
    if (!state.exists) throw new NotFound('action-not-found', 'No action has that id.');
    return decideOnExisting(command, state);
  },
};
