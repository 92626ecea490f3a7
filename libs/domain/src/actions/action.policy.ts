import type { ActionStatus } from './action.state';

/**
 * What the partnership means by outstanding, overdue and awaiting assurance: the only statement of
 * it. Views and counts judge actions here; the read models' SQL is generated from these lists
 * (`@app/read-models`, `actionPolicySql`) and tested against these functions.
 */

/** The statuses an action ends in; it is outstanding in every other. */
export const FINAL_STATUSES = ['closed', 'withdrawn'] as const satisfies readonly ActionStatus[];

export const isOutstanding = (status: ActionStatus): boolean => !(FINAL_STATUSES as readonly ActionStatus[]).includes(status);

/** Outstanding with a due date before `today` (a YYYY-MM-DD date, UTC): calendar dates compare as text. */
export const isOverdue = (status: ActionStatus, dueDate: string | null | undefined, today: string): boolean =>
  isOutstanding(status) && dueDate !== null && dueDate !== undefined && dueDate < today;

/** Evidence is in and the action not yet closed: the subgroup's assurance is what it waits for. */
export const awaitsAssurance = (status: ActionStatus): boolean => status === 'evidenced';

/** Raised, and no partner agency owns it yet. */
export const isUnassigned = (status: ActionStatus): boolean => status === 'raised';
