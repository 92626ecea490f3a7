import { ApiProperty } from '@nestjs/swagger';
import { PoolClient } from 'pg';
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

/**
 * Action counts by status for each value of `groupBy` (an SQL expression over the action list),
 * "overdue" judged against the scope's day at query time.
 */
export async function countActions(
  db: PoolClient,
  scope: ReadScope,
  groupBy: string,
  options: { from?: string; where?: (conditions: SqlConditions) => void } = {},
): Promise<Map<string | null, ActionCountsView>> {
  const conditions = new SqlConditions();
  const todayParam = conditions.param(scope.today);
  scope.restrict(conditions);
  options.where?.(conditions);
  const { rows } = await db.query<Record<(typeof COUNTED)[number], string> & { key: string | null }>(
    `SELECT ${groupBy} AS key,
            count(*) FILTER (WHERE outstanding) AS outstanding,
            count(*) FILTER (WHERE outstanding AND due_date < ${todayParam}) AS overdue,
            count(*) FILTER (WHERE status = 'evidenced') AS evidenced,
            count(*) FILTER (WHERE status = 'closed') AS closed,
            count(*) FILTER (WHERE status = 'withdrawn') AS withdrawn,
            count(*) FILTER (WHERE status = 'raised') AS unassigned,
            count(*) AS total
       FROM ${scope.table(actionList)}${options.from ? `, ${options.from}` : ''} ${conditions.sql()}
      GROUP BY 1`,
    conditions.params,
  );
  return new Map(rows.map((row) => [row.key, Object.fromEntries(COUNTED.map((name) => [name, Number(row[name])])) as unknown as ActionCountsView]));
}
