import { byType } from '../shared/decider';
import { tidyThemes } from '../shared/themes';
import { ActionEvent, ActionRaised, ClosureOutcome, ImpactResult } from './action.events';

export const ACTION_STATUSES = ['raised', 'assigned', 'evidenced', 'closed', 'withdrawn'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];
export const EVIDENCE_STATUSES = ['submitted', 'accepted', 'rejected', 'withdrawn'] as const;
export type EvidenceStatus = (typeof EVIDENCE_STATUSES)[number];

/** Evidence sent for assurance; `decision` is the acceptance's note, the rejection's reason, or why it was withdrawn. */
export type Evidence = Readonly<{
  id: string;
  summary: string;
  link?: string;
  submittedBy?: string;
  status: EvidenceStatus;
  decision?: string;
}>;

/** Evidence that still stands: waiting for a decision, or accepted. Only it can be withdrawn, and only it keeps an action evidenced. */
export const isStanding = <Item extends Pick<Evidence, 'status'>>(
  evidence: Item,
): evidence is Item & Readonly<{ status: 'submitted' | 'accepted' }> => evidence.status === 'submitted' || evidence.status === 'accepted';

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
    /** Closed, and the accepted evidence behind its closing was withdrawn: until it is re-assured or reopened. */
    assuranceStale?: boolean;
    outcome?: ClosureOutcome;
    /** Set when closed as `completed`: when the subgroup is to check its impact on practice. */
    impactReviewDue?: string;
    impact?: ImpactResult;
  }
>;

export type ActionState = Readonly<{ exists: false }> | Action;

export const noAction: ActionState = { exists: false };

function withEvidenceStatus(action: Action, evidenceId: string, status: EvidenceStatus, decision: string | undefined): Action {
  const evidence = action.evidence.map((item) => (item.id === evidenceId ? { ...item, status, decision } : item));
  const awaiting = evidence.some((item) => item.status === 'submitted');
  return { ...action, evidence, status: status === 'rejected' && !awaiting ? 'assigned' : action.status };
}

/** Evidence withdrawn: an evidenced action with nothing left to decide or accepted is the owner's move again. */
function withdrawnEvidence(
  action: Action,
  { evidenceId, reason, was }: Readonly<{ evidenceId: string; reason: string; was: string }>,
): Action {
  const evidence = action.evidence.map((item) =>
    item.id === evidenceId ? { ...item, status: 'withdrawn' as const, decision: reason } : item,
  );
  const standing = evidence.some(isStanding);
  if (action.status === 'closed') return { ...action, evidence, assuranceStale: was === 'accepted' ? true : action.assuranceStale };
  return { ...action, evidence, status: action.status === 'evidenced' && !standing ? 'assigned' : action.status };
}

function withExtensionDecided(action: Action, requestId: string, status: ExtensionStatus, decidedBy: string, decision?: string) {
  return action.extensions.map((item) => (item.id === requestId ? { ...item, status, decidedBy, decision } : item));
}

/** What each event after the first does to an action. */
const evolveExisting = byType<Exclude<ActionEvent, Readonly<{ type: 'ActionRaised' }>>, [Action], ActionState>({
  ActionAssigned: (event, action) => ({ ...action, ...event.data, status: 'assigned', originalDueDate: event.data.dueDate }),
  ActionReassigned: (event, action) => ({ ...action, partnerId: event.data.partnerId, dueDate: event.data.dueDate, lead: event.data.lead }),
  ActionDueDateRevised: (event, action) => ({ ...action, dueDate: event.data.dueDate }),
  ActionProgressNoted: (_event, action) => action,
  EvidenceSubmitted: ({ data: { evidenceId, ...rest } }, action) => ({
    ...action,
    status: 'evidenced',
    evidence: [...action.evidence, { id: evidenceId, ...rest, status: 'submitted' }],
  }),
  EvidenceAccepted: (event, action) => withEvidenceStatus(action, event.data.evidenceId, 'accepted', event.data.note),
  EvidenceRejected: (event, action) => withEvidenceStatus(action, event.data.evidenceId, 'rejected', event.data.reason),
  EvidenceWithdrawn: (event, action) => withdrawnEvidence(action, event.data),
  AssuranceRenewed: (_event, action) => ({ ...action, assuranceStale: undefined }),
  ActionClosed: (event, action) => ({
    ...action,
    status: 'closed',
    outcome: event.data.outcome,
    impactReviewDue: event.data.impactReviewDue,
  }),
  ActionReopened: (_event, action) => ({
    ...action,
    status: 'assigned',
    outcome: undefined,
    impactReviewDue: undefined,
    impact: undefined,
    assuranceStale: undefined,
  }),
  ActionWithdrawn: (_event, action) => ({ ...action, status: 'withdrawn' }),
  ExtensionRequested: ({ data: { requestId, ...request } }, action) => ({
    ...action,
    extensions: [...action.extensions, { id: requestId, ...request, status: 'pending' }],
  }),
  ExtensionApproved: ({ data: { requestId, decidedBy, note, dueDate } }, action) => ({
    ...action,
    dueDate,
    extensions: withExtensionDecided(action, requestId, 'approved', decidedBy, note),
  }),
  ExtensionRefused: ({ data: { requestId, decidedBy, reason } }, action) => ({
    ...action,
    extensions: withExtensionDecided(action, requestId, 'refused', decidedBy, reason),
  }),
  ImpactRecorded: (event, action) => ({
    ...action,
    impact: event.data.result,
    outcome: event.data.result === 'evidenced' ? 'impact-evidenced' : action.outcome,
  }),
  ActionCorrected: (event, action) => ({ ...action, ...event.data.corrected }),
});

export function evolveAction(state: ActionState, event: ActionEvent): ActionState {
  if (event.type === 'ActionRaised') {
    // Events recorded before themes were tidied read as if they had been.
    return { exists: true, ...event.data, themes: tidyThemes(event.data.themes), status: 'raised', evidence: [], extensions: [] };
  }
  return state.exists ? evolveExisting(event, state) : state;
}
