import { tidyThemes } from '../shared/themes';
import { ActionEvent, ActionRaised, ClosureOutcome, ImpactResult } from './action.events';

export const ACTION_STATUSES = ['raised', 'assigned', 'evidenced', 'closed', 'withdrawn'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export type EvidenceStatus = 'submitted' | 'accepted' | 'rejected';

export type Evidence = Readonly<{ id: string; summary: string; link?: string; submittedBy?: string; status: EvidenceStatus }>;

export const EXTENSION_STATUSES = ['pending', 'approved', 'refused'] as const;
export type ExtensionStatus = (typeof EXTENSION_STATUSES)[number];

/** A request for a later due date; `decision` is the approval's note or the refusal's reason. */
export type Extension = Readonly<{
  id: string;
  dueDate: string;
  reason: string;
  status: ExtensionStatus;
  requestedBy: string;
  decidedBy?: string;
  decision?: string;
}>;

export type Action = Readonly<
  ActionRaised['data'] & {
    exists: true;
    status: ActionStatus;
    partnerId?: string;
    lead?: string;
    dueDate?: string;
    /** The due date first agreed, on the first assignment. */
    originalDueDate?: string;
    evidence: readonly Evidence[];
    extensions: readonly Extension[];
    outcome?: ClosureOutcome;
    /** Set when closed as `completed`: when the subgroup is to check its impact on practice. */
    impactReviewDue?: string;
    impact?: ImpactResult;
  }
>;

export type ActionState = Readonly<{ exists: false }> | Action;

export const noAction: ActionState = { exists: false };

function withEvidenceStatus(action: Action, evidenceId: string, status: EvidenceStatus): Action {
  const evidence = action.evidence.map((item) => (item.id === evidenceId ? { ...item, status } : item));
  const awaiting = evidence.some((item) => item.status === 'submitted');
  return { ...action, evidence, status: status === 'rejected' && !awaiting ? 'assigned' : action.status };
}

function withExtensionDecided(action: Action, requestId: string, status: ExtensionStatus, decidedBy: string, decision?: string) {
  return action.extensions.map((item) => (item.id === requestId ? { ...item, status, decidedBy, decision } : item));
}

export function evolveAction(state: ActionState, event: ActionEvent): ActionState {
  if (event.type === 'ActionRaised') {
    // Events recorded before themes were tidied read as if they had been.
    return { exists: true, ...event.data, themes: tidyThemes(event.data.themes), status: 'raised', evidence: [], extensions: [] };
  }
  if (!state.exists) return state;
  switch (event.type) {
    case 'ActionAssigned':
      return { ...state, ...event.data, status: 'assigned', originalDueDate: event.data.dueDate };
    case 'ActionReassigned':
      return { ...state, partnerId: event.data.partnerId, dueDate: event.data.dueDate, lead: event.data.lead };
    case 'ActionDueDateRevised':
      return { ...state, dueDate: event.data.dueDate };
    case 'ActionProgressNoted':
      return state;
    case 'EvidenceSubmitted': {
      const { evidenceId, ...rest } = event.data;
      return { ...state, status: 'evidenced', evidence: [...state.evidence, { id: evidenceId, ...rest, status: 'submitted' }] };
    }
    case 'EvidenceAccepted':
      return withEvidenceStatus(state, event.data.evidenceId, 'accepted');
    case 'EvidenceRejected':
      return withEvidenceStatus(state, event.data.evidenceId, 'rejected');
    case 'ActionClosed':
      return { ...state, status: 'closed', outcome: event.data.outcome, impactReviewDue: event.data.impactReviewDue };
    case 'ActionReopened':
      return { ...state, status: 'assigned', outcome: undefined, impactReviewDue: undefined, impact: undefined };
    case 'ActionWithdrawn':
      return { ...state, status: 'withdrawn' };
    case 'ExtensionRequested': {
      const { requestId, ...request } = event.data;
      return { ...state, extensions: [...state.extensions, { id: requestId, ...request, status: 'pending' }] };
    }
    case 'ExtensionApproved': {
      const { requestId, decidedBy, note, dueDate } = event.data;
      return { ...state, dueDate, extensions: withExtensionDecided(state, requestId, 'approved', decidedBy, note) };
    }
    case 'ExtensionRefused': {
      const { requestId, decidedBy, reason } = event.data;
      return { ...state, extensions: withExtensionDecided(state, requestId, 'refused', decidedBy, reason) };
    }
    case 'ImpactRecorded':
      return {
        ...state,
        impact: event.data.result,
        outcome: event.data.result === 'evidenced' ? 'impact-evidenced' : state.outcome,
      };
    case 'ActionCorrected':
      return { ...state, ...event.data.corrected };
  }
}
