import { ApiProperty } from '@nestjs/swagger';
import { ActionStatus, Assurance, isImpactCheckOverdue, isOutstanding, isOverdue, isUnassigned, themeKey } from '@app/domain';
import { PoolClient } from 'pg';
import { actionCellsAt, actionCellsOn, dayTallyBelow, tallyBelow } from './action-tallies';
import { ReadScope } from './read-scope';
import { SqlConditions } from './sql-conditions';

export class ActionCountsView {
  @ApiProperty({ description: 'Neither closed nor withdrawn' }) outstanding!: number;
  @ApiProperty({ description: 'Outstanding with a due date before today (in England)' }) overdue!: number;
  @ApiProperty({ description: 'Evidence submitted or accepted, not yet closed (status evidenced)' }) evidenced!: number;
  @ApiProperty({ description: 'Evidenced, and the subgroup has yet to accept any of the evidence' }) awaitingAssurance!: number;
  @ApiProperty({ description: 'Evidence accepted, not yet closed' }) readyToClose!: number;
  @ApiProperty({ description: 'With a request for more time awaiting a decision' }) extensionsPending!: number;
  @ApiProperty({ description: 'Closed as completed, and whether it changed practice is yet to be recorded' }) impactChecksDue!: number;
  @ApiProperty({ description: 'Of those, the ones whose impact check date has passed' }) impactChecksOverdue!: number;
  @ApiProperty() closed!: number;
  @ApiProperty() withdrawn!: number;
  @ApiProperty({ description: 'Raised but not yet assigned to a partner' }) unassigned!: number;
  @ApiProperty() total!: number;
}

export const NO_ACTIONS: ActionCountsView = Object.freeze({
  outstanding: 0,
  overdue: 0,
  evidenced: 0,
  awaitingAssurance: 0,
  readyToClose: 0,
  extensionsPending: 0,
  impactChecksDue: 0,
  impactChecksOverdue: 0,
  closed: 0,
  withdrawn: 0,
  unassigned: 0,
  total: 0,
});

/** Actions alike in everything counts group by, and how many there are. */
export type ActionCell = Readonly<{
  partnerId: string | null;
  reviewId: string | null;
  recommendationId: string | null;
  themes: readonly string[];
  status: ActionStatus;
  dueDate: string | null;
  assurance: Assurance | null;
  extensionPending: boolean;
  impactCheckDue: string | null;
  n: number;
}>;

type CellRow = {
  partner_id: string | null;
  review_id: string | null;
  recommendation_id: string | null;
  themes: string[] | null;
  status: ActionStatus;
  due_date: string | null;
  assurance: Assurance | null;
  extension_pending: boolean | null;
  impact_check_due: string | null;
  n: number;
};

/**
 * The actions at the scope's position (or on its day), counted by status for any grouping of them: read once, as
 * cells (from the latest tally and the changes since), then grouped in memory, "overdue" judged
 * against the scope's day.
 */
export class ActionCounts {
  private constructor(
    /** The position of the log the counts are taken at. */
    readonly position: bigint,
    private readonly cells: readonly ActionCell[],
    private readonly today: string,
  ) {}

  /** Reads the cells in the caller's transaction; `where` may narrow them by their columns (partner_id, review_id, ...). */
  static async read(db: PoolClient, scope: ReadScope, where?: (conditions: SqlConditions) => void): Promise<ActionCounts> {
    const at = await scope.position(db);
    const conditions = new SqlConditions();
    let cells: string;
    if (scope.asAt !== undefined) {
      const since = await dayTallyBelow(db, scope.asAt);
      cells = actionCellsOn(conditions.param(since), conditions.param(scope.asAt));
    } else {
      const since = await tallyBelow(db, at);
      cells = actionCellsAt(conditions.param(since.toString()), conditions.param(at.toString()));
    }
    where?.(conditions);
    const { rows } = await db.query<CellRow>(`SELECT * FROM (${cells}) AS cells ${conditions.sql()}`, conditions.params);
    return new ActionCounts(
      at,
      rows.map((row) => ({
        partnerId: row.partner_id,
        reviewId: row.review_id,
        recommendationId: row.recommendation_id,
        themes: row.themes ?? [],
        status: row.status,
        dueDate: row.due_date,
        assurance: row.assurance,
        extensionPending: row.extension_pending === true,
        impactCheckDue: row.impact_check_due,
        n: row.n,
      })),
      scope.today,
    );
  }

  get total(): ActionCountsView {
    return this.by(() => [null]).get(null) ?? NO_ACTIONS;
  }

  /** Counts for each key of the actions; an action with several keys (themes) counts under each. */
  by(keysOf: (cell: ActionCell) => readonly (string | null)[]): Map<string | null, ActionCountsView> {
    const counts = new Map<string | null, ActionCountsView>();
    for (const cell of this.cells) {
      for (const key of keysOf(cell)) {
        let count = counts.get(key);
        if (!count) counts.set(key, (count = { ...NO_ACTIONS }));
        this.add(count, cell);
      }
    }
    return counts;
  }

  /**
   * Counts for each theme, themes alike without case being one, under the spelling `spellings`
   * gives its key, or else the first met.
   */
  byTheme(spellings: ReadonlyMap<string, string>): Map<string, ActionCountsView> {
    const counts = this.by((cell) => cell.themes.map(themeKey));
    const labels = new Map(spellings);
    for (const cell of this.cells) for (const theme of cell.themes) if (!labels.has(themeKey(theme))) labels.set(themeKey(theme), theme);
    return new Map([...counts].map(([key, count]) => [labels.get(key!) ?? key!, count]));
  }

  private add(count: ActionCountsView, { status, dueDate, assurance, extensionPending, impactCheckDue, n }: ActionCell): void {
    count.total += n;
    if (isOutstanding(status)) count.outstanding += n;
    if (isOverdue(status, dueDate, this.today)) count.overdue += n;
    if (status === 'evidenced') count.evidenced += n;
    if (assurance === 'awaiting') count.awaitingAssurance += n;
    if (assurance === 'accepted') count.readyToClose += n;
    if (extensionPending) count.extensionsPending += n;
    if (impactCheckDue !== null) count.impactChecksDue += n;
    if (isImpactCheckOverdue(impactCheckDue, this.today)) count.impactChecksOverdue += n;
    if (status === 'closed') count.closed += n;
    if (status === 'withdrawn') count.withdrawn += n;
    if (isUnassigned(status)) count.unassigned += n;
  }
}
