import { ActionEvent, ActionRaised, ClosureOutcome } from './action.events';

export const ACTION_STATUSES = ['raised', 'assigned', 'evidenced', 'closed', 'withdrawn'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export type EvidenceStatus = 'submitted' | 'accepted' | 'rejected';

export type Evidence = Readonly<{ id: string; summary: string; link?: string; submittedBy?: string; status: EvidenceStatus }>;

export type Action = Readonly<
  ActionRaised['data'] & {
    exists: true;
    status: ActionStatus;
    partnerId?: string;
    lead?: string;
    dueDate?: string;
    originalDueDate?: string;
    evidence: readonly Evidence[];
    outcome?: ClosureOutcome;
  }
>;

export type ActionState = Readonly<{ exists: false }> | Action;

export const noAction: ActionState = { exists: false };

function withEvidenceStatus(action: Action, evidenceId: string, status: EvidenceStatus): Action {
  const evidence = action.evidence.map((item) => (item.id === evidenceId ? { ...item, status } : item));
  const awaiting = evidence.some((item) => item.status === 'submitted');
  return { ...action, evidence, status: status === 'rejected' && !awaiting ? 'assigned' : action.status };
}

export function evolveAction(state: ActionState, event: ActionEvent): ActionState {
  if (event.type === 'ActionRaised') return { exists: true, ...event.data, status: 'raised', evidence: [] };
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
      return { ...state, status: 'closed', outcome: event.data.outcome };
    case 'ActionReopened':
      return { ...state, status: 'assigned', outcome: undefined };
    case 'ActionWithdrawn':
      return { ...state, status: 'withdrawn' };
  }
}
