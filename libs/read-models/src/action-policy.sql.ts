import { ACTION_STATUSES, FINAL_STATUSES, isOpenAndOwned } from '@app/domain';

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** `isOutstanding` of the domain's action policy, as SQL over an expression that gives the status. */
export const outstandingSql = (status: string): string => `${status} NOT IN (${FINAL_STATUSES.map(literal).join(', ')})`;

/** `isOpenAndOwned` as SQL, over an expression that gives the status. */
export const openAndOwnedSql = (status: string): string =>
  `${status} IN (${ACTION_STATUSES.filter(isOpenAndOwned).map(literal).join(', ')})`;

/** `isOverdue` as SQL: over whether the action is outstanding, its due date (a YYYY-MM-DD text or null) and today's. */
export const overdueSql = (outstanding: string, dueDate: string, today: string): string =>
  `(${outstanding} AND coalesce(${dueDate} < ${today}, false))`;
