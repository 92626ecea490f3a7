import { ApiProperty } from '@nestjs/swagger';
import { Pool, PoolClient } from 'pg';
import { actionList } from '@app/read-models';
import { ReadScope } from './read-scope';
import { SqlConditions } from './sql-conditions';

export class ActionCountsView {
  @ApiProperty({ description: 'Neither closed nor withdrawn' }) outstanding!: number;
  @ApiProperty({ description: 'Outstanding with a due date before today (UTC)' }) overdue!: number;
  @ApiProperty({ description: 'Evidence submitted or accepted, not yet closed: awaiting assurance' }) evidenced!: number;
  @ApiProperty() closed!: number;
  @ApiProperty() withdrawn!: number;
  @ApiProperty({ description: 'Raised but not yet assigned to a partner' }) unassigned!: number;
  @ApiProperty() total!: number;
}

const COUNTED = ['outstanding', 'overdue', 'evidenced', 'closed', 'withdrawn', 'unassigned', 'total'] as const;

export const NO_ACTIONS: ActionCountsView = { outstanding: 0, overdue: 0, evidenced: 0, closed: 0, withdrawn: 0, unassigned: 0, total: 0 };

/** Named groupings of the actions: an SQL expression over the action list, or null for all of them. */
export type Groupings<Name extends string> = Readonly<Record<Name, string | null>>;

/**
 * Action counts by status for each value of each grouping, from one scan of the actions (GROUPING
 * SETS), "overdue" judged against the scope's day at query time.
 */
export async function countActions<Name extends string>(
  db: Pool | PoolClient,
  scope: ReadScope,
  groupings: Groupings<Name>,
  options: { from?: string; where?: (conditions: SqlConditions) => void } = {},
): Promise<Record<Name, Map<string | null, ActionCountsView>>> {
  const names = Object.keys(groupings) as Name[];
  const expressions = [...new Set(names.map((name) => groupings[name]).filter((expression) => expression !== null))] as string[];
  // GROUPING() sets a bit, from the left, for each expression a row is NOT grouped by.
  const all = (1 << expressions.length) - 1;
  const maskOf = (expression: string | null) => (expression === null ? all : all & ~(1 << (expressions.length - 1 - expressions.indexOf(expression))));
  const conditions = new SqlConditions();
  const todayParam = conditions.param(scope.today);
  scope.restrict(conditions);
  options.where?.(conditions);
  const { rows } = await db.query<Record<(typeof COUNTED)[number], string> & { grouping: number; key: string | null }>(
    `SELECT ${expressions.length === 0 ? '0' : `GROUPING(${expressions.join(', ')})`} AS grouping,
            ${expressions.length === 0 ? 'NULL' : `COALESCE(${expressions.map((e) => `${e}::text`).join(', ')})`} AS key,
            count(*) FILTER (WHERE outstanding) AS outstanding,
            count(*) FILTER (WHERE outstanding AND due_date < ${todayParam}) AS overdue,
            count(*) FILTER (WHERE status = 'evidenced') AS evidenced,
            count(*) FILTER (WHERE status = 'closed') AS closed,
            count(*) FILTER (WHERE status = 'withdrawn') AS withdrawn,
            count(*) FILTER (WHERE status = 'raised') AS unassigned,
            count(*) AS total
       FROM ${scope.table(actionList)}${options.from ? `, ${options.from}` : ''} ${conditions.sql()}
      GROUP BY GROUPING SETS (${names.map((name) => (groupings[name] === null ? '()' : `(${groupings[name]})`)).join(', ')})`,
    conditions.params,
  );
  const counts = (row: (typeof rows)[number]) =>
    Object.fromEntries(COUNTED.map((name) => [name, Number(row[name])])) as unknown as ActionCountsView;
  return Object.fromEntries(
    names.map((name) => {
      const mask = maskOf(groupings[name]);
      return [name, new Map(rows.filter((row) => Number(row.grouping) === mask).map((row) => [row.key, counts(row)]))];
    }),
  ) as Record<Name, Map<string | null, ActionCountsView>>;
}
