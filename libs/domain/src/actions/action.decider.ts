import { Actor } from '../shared/actor';
import { actsForPartnership, readsEverything } from '../shared/permissions';
import { Decider } from '../shared/decider';
import { Forbidden, InvalidCommand, NotFound, StateConflict } from '../shared/errors';
import { sameValue } from '../shared/same';
import { Partner } from '../partners/partner-registry.state';
import { RecommendationState } from '../reviews/recommendation.state';
import { ActionEvent, ActionRaised, ClosureOutcome } from './action.events';
import { isOutstanding } from './action.policy';
import { Action, ActionState, Evidence, evolveAction, noAction } from './action.state';

export const actionStream = (actionId: string): string => `action-${actionId}`;

type Issued<Type extends string, Data> = Readonly<{ type: Type; actor: Actor } & Data>;

export type RaiseAction = Issued<
  'RaiseAction',
  { actionId: string; description: string; successMeasure?: string; recommendation: RecommendationState }
>;
/** Assigns a raised action, or reassigns an outstanding one. `partner` is undefined when no partner has the id. */
/** `reason`: why, when the action is already assigned (a reassignment needs one). */
export type AssignAction = Issued<
  'AssignAction',
  { partnerId: string; partner: Partner | undefined; dueDate: string; lead?: string; reason?: string }
>;
export type ReviseDueDate = Issued<'ReviseDueDate', { dueDate: string; reason: string }>;
export type NoteProgress = Issued<'NoteProgress', { note: string }>;
export type SubmitEvidence = Issued<'SubmitEvidence', { evidenceId: string; summary: string; link?: string }>;
export type AcceptEvidence = Issued<'AcceptEvidence', { evidenceId: string; note?: string }>;
export type RejectEvidence = Issued<'RejectEvidence', { evidenceId: string; reason: string }>;
export type CloseAction = Issued<'CloseAction', { outcome: ClosureOutcome; rationale: string }>;
export type ReopenAction = Issued<'ReopenAction', { reason: string }>;
export type WithdrawAction = Issued<'WithdrawAction', { reason: string }>;

export type ActionCommand =
  | RaiseAction
  | AssignAction
  | ReviseDueDate
  | NoteProgress
  | SubmitEvidence
  | AcceptEvidence
  | RejectEvidence
  | CloseAction
  | ReopenAction
  | WithdrawAction;

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
    themes: recommendation.themes,
  };
  if (state.exists) {
    const { actionId, recommendationId, reviewId, description, successMeasure, themes } = state;
    if (sameValue({ actionId, recommendationId, reviewId, description, successMeasure, themes }, data)) return [];
    throw new StateConflict('action-exists', `Action '${command.actionId}' already exists.`);
  }
  return [{ type: 'ActionRaised', data }];
}

function assign(command: AssignAction, action: Action): ActionEvent[] {
  requireOutstanding(action, 'assign the action');
  if (!command.partner) throw new NotFound('partner-not-found', `No partner is registered as '${command.partnerId}'.`);
  const assignment = { partnerId: command.partnerId, dueDate: command.dueDate, lead: command.lead };
  if (action.status === 'raised') return [{ type: 'ActionAssigned', data: assignment }];
  const current = { partnerId: action.partnerId, dueDate: action.dueDate, lead: action.lead };
  if (sameValue(current, assignment)) return [];
  if (!command.reason) {
    throw new InvalidCommand('reason-required', 'Say why the action is being reassigned: a reassignment needs a reason.');
  }
  const previous = { previousPartnerId: action.partnerId as string, previousDueDate: action.dueDate as string };
  return [{ type: 'ActionReassigned', data: { ...assignment, ...previous, reason: command.reason } }];
}

function decideOnExisting(command: Exclude<ActionCommand, RaiseAction>, action: Action): ActionEvent[] {
  switch (command.type) {
    case 'AssignAction':
      return assign(command, action);
    case 'ReviseDueDate':
      requireAssigned(action, 'revise the due date');
      if (action.dueDate === command.dueDate) return [];
      return [
        {
          type: 'ActionDueDateRevised',
          data: { dueDate: command.dueDate, previousDueDate: action.dueDate as string, reason: command.reason },
        },
      ];
    case 'NoteProgress':
      requireWorkAccess(command.actor, action);
      requireOutstanding(action, 'note progress');
      return [{ type: 'ActionProgressNoted', data: { note: command.note } }];
    case 'SubmitEvidence': {
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
    case 'AcceptEvidence':
      requireUndecided(command, action, 'accept the evidence');
      requireSomeoneElse(command.actor, findEvidence(action, command.evidenceId));
      return [{ type: 'EvidenceAccepted', data: { evidenceId: command.evidenceId, note: command.note } }];
    case 'RejectEvidence':
      requireUndecided(command, action, 'reject the evidence');
      return [{ type: 'EvidenceRejected', data: { evidenceId: command.evidenceId, reason: command.reason } }];
    case 'CloseAction':
      requireIndependentAssurance(command.actor, action);
      requireAssigned(action, 'close the action');
      if (command.outcome !== 'superseded' && !action.evidence.some((item) => item.status === 'accepted')) {
        throw new StateConflict(
          'no-accepted-evidence',
          `Cannot close as '${command.outcome}': no evidence has been accepted. Accept evidence first, or close as 'superseded'.`,
        );
      }
      return [{ type: 'ActionClosed', data: { outcome: command.outcome, rationale: command.rationale } }];
    case 'ReopenAction':
      if (action.status !== 'closed') {
        throw new StateConflict(`action-${action.status}`, `Only a closed action can be reopened; this one is ${action.status}.`);
      }
      return [{ type: 'ActionReopened', data: { reason: command.reason } }];
    case 'WithdrawAction':
      requireOutstanding(action, 'withdraw the action');
      return [{ type: 'ActionWithdrawn', data: { reason: command.reason } }];
  }
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
