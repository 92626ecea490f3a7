import { Inject, Injectable } from '@nestjs/common';
import { dayInEngland } from '@app/domain';
import { Pool, PoolClient } from 'pg';
import { EVENT_STORE, EventStore, RecordedEvent } from '@app/event-store';
import { dayOf } from '@app/read-models';
import { Projection, historyOf, validAt, validOn } from '@app/projections';
import { CLOCK, Clock } from '../clock/clock';
import { ValidationFailed } from '../http/problem';
import { ReadPositions } from './read-position';
import { readModelsPosition } from './snapshot';
import { SqlConditions } from './sql-conditions';

/**
 * When a read looks back to: as recorded up to an instant (`asOf`, the auditor's), or as it had
 * happened by the end of a day (`asAt`, each event counted on the day it happened); neither is now.
 */
export type ReadMoment = Readonly<{ asOf?: string; asAt?: string }>;

/** Whether a read at the moment sees the event: recorded by its instant, or happened by its day. */
export function seenAt(event: RecordedEvent, { asOf, asAt }: ReadMoment): boolean {
  if (asOf !== undefined) return event.recordedAt.getTime() <= Date.parse(asOf);
  if (asAt !== undefined) return dayOf(event) <= asAt;
  return true;
}

/**
 * What a read answers from: the read models as they are now, their history as it stood at a past
 * instant (each document's version the one valid at that instant's position), or their history
 * as it stood on a past day (each document's version the last of those that happened by then).
 */
export interface ReadScope {
  /** The instant the answer describes: for a day, what was recorded by now of what happened by then. */
  readonly instant: Date;
  /** The day "overdue" is judged against: the day in England. */
  readonly today: string;
  /** The day the answer is as at, when it is read by day. */
  readonly asAt?: string;
  /** The read models as they are now: only what they show can be acted on. */
  readonly isNow: boolean;
  table(projection: Projection): string;
  /** Adds what picks, of the projection's table's rows, those the answer is made of. */
  restrict(where: SqlConditions, projection: Projection): SqlConditions;
  /** The same condition as text, for a subquery ('true' when every row counts). */
  rowsOf(param: (value: unknown) => string, projection: Projection): string;
  /** The position of the log the answer includes, read in the caller's snapshot. */
  position(db: PoolClient): Promise<bigint>;
  /** For a past position: what identifies its answers, which can never change (the rows valid there are final). */
  readonly pastKey?: string;
}

class LiveScope implements ReadScope {
  readonly today: string;
  readonly isNow = true;

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
  readonly isNow = false;

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

/**
 * The read models as they stood at the end of a past day, by what had happened by then: the
 * versions of that day, of the projections whose history is read by day. The others (the partner
 * agencies) are read as they are now, since a partner's history began before it was registered here.
 * Its answers are not kept: an import of older history can still change a past day.
 */
class DayScope implements ReadScope {
  readonly isNow = false;

  constructor(
    readonly instant: Date,
    readonly today: string,
  ) {}

  get asAt(): string {
    return this.today;
  }

  table(projection: Projection): string {
    return projection.dayField === undefined ? projection.table : historyOf(projection).table;
  }

  restrict(where: SqlConditions, projection: Projection): SqlConditions {
    return where.add((p) => this.rowsOf(p, projection));
  }

  rowsOf(param: (value: unknown) => string, projection: Projection): string {
    return projection.dayField === undefined ? 'true' : validOn(param(this.today));
  }

  position(db: PoolClient): Promise<bigint> {
    return readModelsPosition(db);
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

  async resolve({ asOf, asAt }: ReadMoment = {}): Promise<ReadScope> {
    const now = this.clock();
    if (asOf !== undefined && asAt !== undefined) {
      throw new ValidationFailed([
        { field: 'asAt', message: 'give asOf (as recorded by an instant) or asAt (as at the end of a day), not both' },
      ]);
    }
    if (asAt !== undefined) {
      if (asAt > dayInEngland(now)) throw new ValidationFailed([{ field: 'asAt', message: 'must not be in the future' }]);
      return asAt === dayInEngland(now) ? new LiveScope(now) : new DayScope(now, asAt);
    }
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
  scope.restrict(where, projection);
  const { rows } = await db.query<{ doc: Doc }>(
    `SELECT doc FROM ${scope.table(projection)} ${where.sql()} ORDER BY ${orderBy}`,
    where.params,
  );
  return rows.map((row) => row.doc);
}
