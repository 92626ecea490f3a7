import { RecordedEvent } from '@app/event-store';

/**
 * A read model kept as one JSON document per key in one table: `evolve` is the pure fold of an
 * event into a document, the runner does the rest (loading, skipping what was applied, saving).
 */
export interface Projection<Doc extends object = object> {
  readonly name: string;
  /** Raise it when `evolve` or the table changes: the projection is then rebuilt from the events at start. */
  readonly version: number;
  readonly table: string;
  /** Columns derived from the document for queries, e.g. `status text GENERATED ALWAYS AS (doc->>'status') STORED`. */
  readonly columns?: readonly string[];
  /** Index definitions, e.g. `(status, due_date)` or `USING gin (themes)`. */
  readonly indexes?: readonly string[];
  /**
   * Keep every version of every document, each valid from the position of the event that made it
   * to the position of the next (`valid_to`): the read model as it stood at any position is then
   * the rows `validAt` it. The current versions have no end.
   */
  readonly keepsHistory?: boolean;
  /**
   * Every event of a document is in one stream. A rebuild can then fold the log stream by stream:
   * each document's versions one after the other, written once, with nothing kept between streams.
   */
  readonly keyedWithinStream?: boolean;
  /** The only event types `handles` accepts, when they are known: a rebuild then reads only those. */
  readonly eventTypes?: readonly string[];
  /** For a projection that keeps history, the one whose documents it keeps the versions of. */
  readonly versionsOf?: Projection;
  /**
   * The field of its documents naming the day a version counts from, for a projection whose history
   * is read by day (`validOn`): it must never go back from one version of a document to the next.
   */
  readonly dayField?: string;
  handles(event: RecordedEvent): boolean;
  keyOf(event: RecordedEvent): string;
  /** The document after the event; undefined leaves the key without a document. */
  evolve(doc: Doc | undefined, event: RecordedEvent): Doc | undefined;
}

/** The condition that picks, of a history table's rows, the versions valid at the position `at` (SQL). */
export const validAt = (at: string): string => `position <= ${at} AND (valid_to IS NULL OR valid_to > ${at})`;

/**
 * The condition that picks, of a history table's rows, the versions valid on the day `day` (SQL):
 * each version counts from its day to the day of the next, and the last of a day is the one valid on it.
 */
export const validOn = (day: string): string => `day <= ${day} AND (valid_to_day IS NULL OR valid_to_day > ${day})`;

/** The day a document's version counts from, for a projection whose history is read by day. */
export function dayOfVersion(projection: Projection, doc: object): string | null {
  if (projection.dayField === undefined) return null;
  const day = (doc as Record<string, unknown>)[projection.dayField];
  return typeof day === 'string' ? day : null;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,40}$/;

export function checkedIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new RangeError(`Not a safe table name: ${name}`);
  return name;
}

const FIELD = /^[A-Za-z][A-Za-z0-9]{0,40}$/;

/** A document's field name, safe to write into SQL as `doc->>'<name>'`. */
export function checkedField(name: string): string {
  if (!FIELD.test(name)) throw new RangeError(`Not a safe field name: ${name}`);
  return name;
}

/** Where a projection is written: its live table, or the shadow table a rebuild fills. */
export type ProjectionTarget = Readonly<{ projection: Projection; table: string; checkpoint: string }>;

export const liveTarget = (projection: Projection): ProjectionTarget => ({
  projection,
  table: checkedIdentifier(projection.table),
  checkpoint: projection.name,
});

export const shadowTarget = (projection: Projection): ProjectionTarget => ({
  projection,
  table: checkedIdentifier(`${projection.table}__rebuild`),
  checkpoint: `${projection.name}#rebuild`,
});

/** The projection's twin that keeps every version of every document: `<name>-history` in `<table>_history`. */
export const historyOf = (projection: Projection): Projection => ({
  ...projection,
  name: `${projection.name}-history`,
  table: `${projection.table}_history`,
  keepsHistory: true,
  versionsOf: projection,
});
