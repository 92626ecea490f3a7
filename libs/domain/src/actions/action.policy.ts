import type { Action, ActionStatus, Evidence, Extension } from './action.state';

/**
 * What the partnership means by outstanding, overdue and awaiting assurance: the only statement of
 * it. Views and counts judge actions here; the read models' SQL is generated from these lists
 * (`@app/read-models`, `actionPolicySql`) and tested against these functions.
 */

/** The statuses an action ends in; it is outstanding in every other. */
export const FINAL_STATUSES = ['closed', 'withdrawn'] as const satisfies readonly ActionStatus[];

export const isOutstanding = (status: ActionStatus): boolean => !(FINAL_STATUSES as readonly ActionStatus[]).includes(status);

/** Outstanding with a due date before `today` (a YYYY-MM-DD day in England): calendar dates compare as text. */
export const isOverdue = (status: ActionStatus, dueDate: string | null | undefined, today: string): boolean =>
  isOutstanding(status) && dueDate !== null && dueDate !== undefined && dueDate < today;

export const ASSURANCE_STATES = ['awaiting', 'accepted'] as const;
/**
 * Where an evidenced action stands with the subgroup: `awaiting` a decision on its evidence, or,
 * evidence `accepted`, ready to close. Undefined for an action that is not evidenced.
 */
export type Assurance = (typeof ASSURANCE_STATES)[number];

export function assuranceOf(status: ActionStatus, evidence: readonly Evidence[]): Assurance | undefined {
  if (status !== 'evidenced') return undefined;
  return evidence.some((item) => item.status === 'accepted') ? 'accepted' : 'awaiting';
}

/** The partner's move again because the subgroup rejected the evidence it sent last: its lead must know why. */
export const isSentBack = (status: ActionStatus, evidence: readonly Pick<Evidence, 'status'>[]): boolean =>
  status === 'assigned' && evidence.at(-1)?.status === 'rejected';

/** A request for more time that the subgroup has not yet decided. */
export const pendingExtension = (extensions: readonly Extension[]): Extension | undefined =>
  extensions.find((item) => item.status === 'pending');

/** Why an action is late, in its owner's words: the reason given with its latest request for more time, whatever became of it. */
export const delayReason = (extensions: readonly Pick<Extension, 'reason'>[]): string | undefined => extensions.at(-1)?.reason;

/** Closed as completed and nobody has yet recorded whether it changed practice: the date the check is due, else undefined. */
export const impactCheckDue = (action: Pick<Action, 'status' | 'outcome' | 'impactReviewDue' | 'impact'>): string | undefined =>
  action.status === 'closed' && action.outcome === 'completed' && action.impact === undefined ? action.impactReviewDue : undefined;

/** An impact check due before `today`. */
export const isImpactCheckOverdue = (due: string | null | undefined, today: string): boolean =>
  due !== null && due !== undefined && due < today;

export const RAG_STATUSES = ['red', 'amber', 'green'] as const;
/** Red, amber or green: how a partner agency's outstanding actions stand against their due dates. */
export type Rag = (typeof RAG_STATUSES)[number];

/** Red when a quarter or more of the outstanding actions are overdue, amber when any is, green when none is. */
export function ragOf({ outstanding, overdue }: Readonly<{ outstanding: number; overdue: number }>): Rag {
  if (overdue > 0 && overdue * 4 >= outstanding) return 'red';
  if (overdue > 0) return 'amber';
  return 'green';
}

/** Raised, and no partner agency owns it yet. */
export const isUnassigned = (status: ActionStatus): boolean => status === 'raised';

/** Outstanding and owned by a partner agency: what its reminders and the digest are about. */
export const isOpenAndOwned = (status: ActionStatus): boolean => isOutstanding(status) && !isUnassigned(status);
