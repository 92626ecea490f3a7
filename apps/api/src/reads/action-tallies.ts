import { Logger } from '@nestjs/common';
import { Pool, PoolClient, QueryResult } from 'pg';
import { addDays } from '@app/domain';
import { inTransaction } from '@app/projections';
import { actionHistory } from '@app/read-models';
import { readModelsPosition } from './snapshot';

const HISTORY = actionHistory.table;
/** A table is rebuilt as a new one: tallies of the table that was replaced no longer count. */
const GENERATION = `'${HISTORY}'::regclass::oid`;
/** What an action is counted by: every grouping and status a count asks for is made of these. */
const CELL = 'partner_id, review_id, recommendation_id, themes, status, due_date, assurance, extension_pending, impact_check_due';
const CELL_TYPES =
  'partner_id text, review_id text, recommendation_id text, themes jsonb, status text, due_date text, assurance text, extension_pending boolean, impact_check_due text, n int';

/**
 * A line the history's versions lie along: the positions they were recorded at, or the days they
 * happened on. Each version begins at one point of it and ends at the next version's.
 */
type Timeline = Readonly<{ tallies: string; begins: string; ends: string }>;
const BY_POSITION: Timeline = { tallies: 'action_tallies', begins: 'position', ends: 'valid_to' };
const BY_DAY: Timeline = { tallies: 'action_day_tallies', begins: 'day', ends: 'valid_to_day' };

/**
 * The actions as they stood at point `at` of the timeline, as cells: the columns counts group by,
 * and the number `n` of actions in each, leaving out empty cells. They are the tally kept at
 * `since`, plus the versions that began after it and were still valid at `at`, minus those valid at
 * `since` that ended by `at`. `since` must be the point of a tally of the current table, or one
 * before every version (0, '').
 */
function cellsBetween({ tallies, begins, ends }: Timeline, since: string, at: string): string {
  return `SELECT ${CELL}, sum(n)::int AS n FROM (
            SELECT cell.* FROM ${tallies} AS tally, jsonb_to_recordset(tally.cells) AS cell(${CELL_TYPES})
             WHERE tally.generation = ${GENERATION} AND tally.at = ${since}
            UNION ALL
            SELECT ${CELL}, 1 FROM ${HISTORY}
             WHERE ${begins} > ${since} AND ${begins} <= ${at} AND (${ends} IS NULL OR ${ends} > ${at})
            UNION ALL
            SELECT ${CELL}, -1 FROM ${HISTORY}
             WHERE ${ends} > ${since} AND ${ends} <= ${at} AND ${begins} <= ${since}
          ) AS changes
          GROUP BY ${CELL} HAVING sum(n) <> 0`;
}

/** The actions as they stood at position `at`, from the tally at position `since` (0 for none). */
export const actionCellsAt = (since: string, at: string): string => cellsBetween(BY_POSITION, since, at);

/** The actions as they stood at the end of the day `day`, by what had happened, from the tally of day `since` ('' for none). */
export const actionCellsOn = (since: string, day: string): string => cellsBetween(BY_DAY, since, day);

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

const CHECKED = `SELECT position FROM action_day_tallies_checked WHERE generation = ${GENERATION}`;

/**
 * The earliest day of the versions recorded after position `after` (SQL text of a position, its
 * value known to the planner, which then reads only those versions by their positions).
 */
const earliestDayAfter = (after: string) =>
  `(SELECT min(day) FROM (SELECT day FROM ${HISTORY} WHERE position > ${after} OFFSET 0) AS versions)`;

/**
 * The latest day tally on or before `day` ('' when there is none) that still holds in the caller's
 * snapshot, which from then on holds the action history. A tally of a day holds until a version
 * of that day or earlier is recorded after it (history imported since); the keeper drops those,
 * and until it has, this passes over them.
 */
export async function dayTallyBelow(client: PoolClient, day: string): Promise<string> {
  const [, checked] = (await client.query(`LOCK TABLE ${HISTORY} IN ACCESS SHARE MODE; ${CHECKED}`)) as unknown as [
    QueryResult,
    QueryResult<{ position: string }>,
  ];
  // No tally from the earliest day of the versions recorded since the keeper last checked holds.
  const { rows } = await client.query<{ at: string | null }>(
    `SELECT max(at) AS at FROM action_day_tallies
      WHERE generation = ${GENERATION} AND at <= $1 AND at < coalesce(${earliestDayAfter('$2::bigint')}, '9999-12-31')`,
    [day, checked.rows[0]?.position ?? '0'],
  );
  return rows[0].at ?? '';
}

/** Days between two day tallies: counting as at a day reads at most this many days of history. */
const DAYS_A_TALLY = 7;

/**
 * Counts of the actions at every `every`-th position, each made from the one before and the
 * changes since: counting the actions at any position then reads at most one interval of history,
 * however long the log. Rows valid at a position the read models have passed never change, so a
 * tally never does; instances that keep the same one at once write the same cells.
 *
 * Likewise on every 7th day of the history, up to yesterday, by what had happened: a past day is
 * final but for history imported later, which drops the tallies of its days and after.
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
    /** Today in England: days before it are tallied. */
    private readonly today: () => string,
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
    await inTransaction(this.pool, (client) => this.checkDays(client, reached));
    while (await inTransaction(this.pool, (client) => this.keepNextDay(client)));
    await this.pool.query(
      ['action_tallies', 'action_day_tallies', 'action_day_tallies_checked']
        .map((table) => `DELETE FROM ${table} WHERE generation <> ${GENERATION}`)
        .join('; '),
    );
  }

  /**
   * Drops the day tallies that the versions recorded since the last check, up to `reached`, no
   * longer let hold (history imported on their days or before), and marks those versions checked.
   */
  private async checkDays(client: PoolClient, reached: bigint): Promise<void> {
    const { rows } = await client.query<{ position: string }>(CHECKED);
    await client.query(
      `WITH dropped AS (
         DELETE FROM action_day_tallies WHERE generation = ${GENERATION} AND at >= ${earliestDayAfter('$1::bigint')}
       )
       INSERT INTO action_day_tallies_checked (generation, position) VALUES (${GENERATION}, $2::bigint)
       ON CONFLICT (generation) DO UPDATE SET position = greatest(action_day_tallies_checked.position, excluded.position)`,
      [rows[0]?.position ?? '0', reached.toString()],
    );
  }

  private async keepNextDay(client: PoolClient): Promise<boolean> {
    const [, found] = (await client.query(
      `LOCK TABLE ${HISTORY} IN ACCESS SHARE MODE;
       SELECT max(at) AS latest, (SELECT min(day) FROM ${HISTORY}) AS first FROM action_day_tallies WHERE generation = ${GENERATION}`,
    )) as unknown as [QueryResult, QueryResult<{ latest: string | null; first: string | null }>];
    const { latest, first } = found.rows[0];
    const next = latest ? addDays(latest, DAYS_A_TALLY) : first;
    if (!next || next >= this.today()) return false;
    await client.query(
      `INSERT INTO action_day_tallies (generation, at, cells)
       SELECT ${GENERATION}, $2, COALESCE(jsonb_agg(cell), '[]') FROM (${actionCellsOn('$1', '$2')}) AS cell
       ON CONFLICT DO NOTHING`,
      [latest ?? '', next],
    );
    return true;
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
