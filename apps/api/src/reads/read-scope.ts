import { Inject, Injectable } from '@nestjs/common';
import { dayInEngland } from '@app/domain';
import { Pool, PoolClient } from 'pg';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { Projection, historyOf, validAt } from '@app/projections';
import { CLOCK, Clock } from '../clock/clock';
import { ValidationFailed } from '../http/problem';
import { ReadPositions } from './read-position';
import { readModelsPosition } from './snapshot';
import { SqlConditions } from './sql-conditions';

/**
 * What a read answers from: the read models as they are now, or their history as it stood at a
 * past instant, where each document's version is the one valid at that instant's position.
 */
export interface ReadScope {
  /** The instant the answer describes. */
  readonly instant: Date;
  /** The day "overdue" is judged against: the day in England. */
  readonly today: string;
  table(projection: Projection): string;
  /** Adds what picks, of the table's rows, those the answer is made of. */
  restrict(where: SqlConditions): SqlConditions;
  /** The same condition as text, for a subquery over another table of this scope ('true' when every row counts). */
  rowsOf(param: (value: unknown) => string): string;
  /** The position of the log the answer includes, read in the caller's snapshot. */
  position(db: PoolClient): Promise<bigint>;
  /** For a past position: what identifies its answers, which can never change (the rows valid there are final). */
  readonly pastKey?: string;
}

class LiveScope implements ReadScope {
  readonly today: string;

  constructor(readonly instant: Date) {
    this.today = dayInEngland(instant);
  }

  table(projection: Projection): string {
    return projection.table;
  }

  restrict(where: SqlConditions): SqlConditions {
    return where;
  }

  rowsOf(): string {
    return 'true';
  }

  position(db: PoolClient): Promise<bigint> {
    return readModelsPosition(db);
  }
}

class HistoryScope implements ReadScope {
  readonly today: string;

  constructor(
    readonly instant: Date,
    private readonly at: bigint,
  ) {
    this.today = dayInEngland(instant);
  }

  table(projection: Projection): string {
    return historyOf(projection).table;
  }

  restrict(where: SqlConditions): SqlConditions {
    return where.add((p) => this.rowsOf(p));
  }

  rowsOf(param: (value: unknown) => string): string {
    return validAt(`${param(this.at.toString())}::bigint`);
  }

  async position(): Promise<bigint> {
    return this.at;
  }

  get pastKey(): string {
    return `${this.at}|${this.today}`;
  }
}

/** Answers as of past positions, kept per process (a few hundred, the least used let go first): they cannot go stale. */
export class PastAnswers<T> {
  private readonly answers = new Map<string, T>();

  constructor(private readonly capacity = 256) {}

  async answer(scope: ReadScope, compute: () => Promise<T>): Promise<T> {
    const key = scope.pastKey;
    if (key === undefined) return compute();
    const known = this.answers.get(key);
    if (known !== undefined) {
      this.answers.delete(key);
      this.answers.set(key, known);
      return known;
    }
    const answer = await compute();
    this.answers.set(key, answer);
    if (this.answers.size > this.capacity) this.answers.delete(this.answers.keys().next().value!);
    return answer;
  }
}

/** Turns a request's `asOf` into the scope its read answers from. */
@Injectable()
export class ReadScopes {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly positions: ReadPositions,
  ) {}

  async resolve(asOf: string | undefined): Promise<ReadScope> {
    const now = this.clock();
    if (asOf === undefined) return new LiveScope(now);
    const instant = new Date(asOf);
    if (instant > now) throw new ValidationFailed([{ field: 'asOf', message: 'must not be in the future' }]);
    const position = await this.store.positionAt(instant);
    await this.positions.waitFor(position);
    return new HistoryScope(instant, position);
  }
}

/** A read model's documents as the scope sees them, those `where` picks, in the given order. */
export async function documentsIn<Doc extends object>(
  db: Pool | PoolClient,
  scope: ReadScope,
  projection: Projection<Doc>,
  orderBy: string,
  where = new SqlConditions(),
): Promise<Doc[]> {
  scope.restrict(where);
  const { rows } = await db.query<{ doc: Doc }>(
    `SELECT doc FROM ${scope.table(projection)} ${where.sql()} ORDER BY ${orderBy}`,
    where.params,
  );
  return rows.map((row) => row.doc);
}
