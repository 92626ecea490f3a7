import { Logger } from '@nestjs/common';
import { Pool, PoolClient, QueryResult } from 'pg';
import { inTransaction, validOn } from '@app/projections';
import { actionHistory } from '@app/read-models';
import { readModelsPosition } from './snapshot';

const HISTORY = actionHistory.table;
/** A table is rebuilt as a new one: tallies of the table that was replaced no longer count. */
const GENERATION = `'${HISTORY}'::regclass::oid`;
/** What an action is counted by: every grouping and status a count asks for is made of these. */
const CELL = 'partner_id, review_id, recommendation_id, themes, status, due_date, assurance, extension_pending, impact_check_due';
const CELL_TYPES =
  'partner_id text, review_id text, recommendation_id text, themes jsonb, status text, due_date text, assurance text, extension_pending boolean, impact_check_due text, n int';

export const ACTION_TALLIES_SCHEMA = `CREATE TABLE IF NOT EXISTS action_tallies (
  generation oid NOT NULL,
  at bigint NOT NULL,
  cells jsonb NOT NULL,
  PRIMARY KEY (generation, at)
)`;

/**
 * The actions as they stood at position `at`, as cells: the columns counts group by, and the
 * number `n` of actions in each, leaving out empty cells. They are the tally kept at `since`, plus
 * the versions that began after it and were still valid at `at`, minus those valid at `since`
 * that ended by `at`. `since` must be 0 or the position of a tally of the current table.
 */
export function actionCellsAt(since: string, at: string): string {
  return `SELECT ${CELL}, sum(n)::int AS n FROM (
            SELECT cell.* FROM action_tallies AS tally, jsonb_to_recordset(tally.cells) AS cell(${CELL_TYPES})
             WHERE tally.generation = ${GENERATION} AND tally.at = ${since}
            UNION ALL
            SELECT ${CELL}, 1 FROM ${HISTORY}
             WHERE position > ${since} AND position <= ${at} AND (valid_to IS NULL OR valid_to > ${at})
            UNION ALL
            SELECT ${CELL}, -1 FROM ${HISTORY}
             WHERE valid_to > ${since} AND valid_to <= ${at} AND position <= ${since}
          ) AS changes
          GROUP BY ${CELL} HAVING sum(n) <> 0`;
}

/** The actions as they stood at the end of `day` (SQL text of a day), as cells: the versions valid on it, counted. */
export function actionCellsOn(day: string): string {
  return `SELECT ${CELL}, count(*)::int AS n FROM ${HISTORY} WHERE ${validOn(day)} GROUP BY ${CELL}`;
}

/** Holds the action history for the caller's transaction: a rebuild cannot swap in a new table until it ends. */
export async function holdActionHistory(client: PoolClient): Promise<void> {
  await client.query(`LOCK TABLE ${HISTORY} IN ACCESS SHARE MODE`);
}

/**
 * The latest tally at or below `at` (0 when there is none), in the caller's transaction, which
 * from then on holds the action history: a rebuild cannot swap in a new table until it ends.
 */
export async function tallyBelow(client: PoolClient, at: bigint): Promise<bigint> {
  // One round trip for both statements: a count runs on every assurance read. `at` is a bigint, safe as text.
  const [, latest] = (await client.query(
    `LOCK TABLE ${HISTORY} IN ACCESS SHARE MODE; SELECT max(at) AS at FROM action_tallies WHERE generation = ${GENERATION} AND at <= ${at}`,
  )) as unknown as [QueryResult, QueryResult<{ at: string | null }>];
  return BigInt(latest.rows[0].at ?? 0);
}

/**
 * Counts of the actions at every `every`-th position, each made from the one before and the
 * changes since: counting the actions at any position then reads at most one interval of history,
 * however long the log. Rows valid at a position the read models have passed never change, so a
 * tally never does; instances that keep the same one at once write the same cells.
 */
export class ActionTallies {
  private readonly logger = new Logger('action-tallies');
  private keeping?: Promise<void>;
  private again = false;
  /** The position of the next tally to keep, once a run has found it. */
  private due?: bigint;

  constructor(
    private readonly pool: Pool,
    private readonly every: bigint,
  ) {}

  /**
   * Brings the tallies up to what every read model has applied, in the background, one run at a
   * time; given how far the read models have got, does nothing until that passes the next tally.
   */
  keep(reached?: bigint): void {
    if (reached !== undefined && this.due !== undefined && reached < this.due) return;
    if (this.keeping) {
      this.again = true;
      return;
    }
    this.keeping = this.keepUp()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'action tallies will be kept on the next change'))
      .finally(() => {
        this.keeping = undefined;
        if (this.again) {
          this.again = false;
          this.keep();
        }
      });
  }

  /** Resolves once the run under way, and any it asked for, are done. */
  async settled(): Promise<void> {
    while (this.keeping) await this.keeping;
  }

  private async keepUp(): Promise<void> {
    const reached = await readModelsPosition(this.pool);
    while (await inTransaction(this.pool, (client) => this.keepNext(client, reached)));
    await this.pool.query(`DELETE FROM action_tallies WHERE generation <> ${GENERATION}`);
  }

  private async keepNext(client: PoolClient, reached: bigint): Promise<boolean> {
    const since = await tallyBelow(client, reached);
    const next = (since / this.every + 1n) * this.every;
    this.due = next;
    if (next > reached) return false;
    await client.query(
      `INSERT INTO action_tallies (generation, at, cells)
       SELECT ${GENERATION}, $2::bigint, COALESCE(jsonb_agg(cell), '[]') FROM (${actionCellsAt('$1', '$2')}) AS cell
       ON CONFLICT DO NOTHING`,
      [since.toString(), next.toString()],
    );
    return true;
  }
}
