import { ACTION_STATUSES, ActionEvent, FINAL_STATUSES, isOpenAndOwned } from '@app/domain';

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Action event types as a list of SQL literals, for `=` or `IN (…)`: a type the domain does not have does not build. */
export const actionEventsSql = (...types: readonly ActionEvent['type'][]): string => types.map(literal).join(', ');

/** `isOutstanding` of the domain's action policy, as SQL over an expression that gives the status. */
export const outstandingSql = (status: string): string => `${status} NOT IN (${FINAL_STATUSES.map(literal).join(', ')})`;

/** `isOpenAndOwned` as SQL, over an expression that gives the status. */
export const openAndOwnedSql = (status: string): string =>
  `${status} IN (${ACTION_STATUSES.filter(isOpenAndOwned).map(literal).join(', ')})`;

/** `isOverdue` as SQL: over whether the action is outstanding, its due date (a YYYY-MM-DD text or null) and today's. */
export const overdueSql = (outstanding: string, dueDate: string, today: string): string =>
  `(${outstanding} AND coalesce(${dueDate} < ${today}, false))`;
