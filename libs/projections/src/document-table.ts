import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { RecordedEvent } from '@app/event-store';
import { Projection, ProjectionTarget, checkedField, dayOfVersion } from './projection';
import { SET_ASIDE, SetAside, evolveOrSetAside, recordSetAsideSql } from './quarantine';
import { Statement, StatementRenderer, inline, jsonLiteral } from './statements';

/** A document as a table holds it. */
export type StoredRow = { key: string; position: string; doc: object };
/**
 * A document as written: key, position and the document itself; for a projection that keeps
 * history, also the position and the day its version stops being valid at (null while it is
 * current; the day null too when the history is not read by day).
 */
export type DocumentRow = [string, string, object] | [string, string, object, string | null, string | null];
/** A current version the table already holds (key and position), and the position and day the next version begins at. */
export type Closing = [string, string, string, string | null];

/** Whether the projection's history is read by day: its table then holds each version's day and the day it ends. */
const readByDay = (projection: Projection) => projection.keepsHistory === true && projection.dayField !== undefined;

/** A version of `key` that began at `position` with `doc`, ended by `next` at `nextPosition`. */
export function endedVersion(
  projection: Projection,
  key: string,
  position: bigint,
  doc: object,
  nextPosition: bigint,
  next: object,
): DocumentRow {
  return [key, position.toString(), doc, nextPosition.toString(), dayOfVersion(projection, next)];
}

/** A document's current version, as its table holds it. */
export function currentVersion(projection: Projection, key: string, position: bigint, doc: object): DocumentRow {
  return projection.keepsHistory ? [key, position.toString(), doc, null, null] : [key, position.toString(), doc];
}
export type DocumentChanges = Readonly<{ rows: readonly DocumentRow[]; closings: readonly Closing[]; aside?: readonly SetAside[] }>;

type Row = { position: bigint; doc: object; stored: boolean };

/**
 * The statements that read and write a target's documents. Their parameters are JSON texts: far
 * cheaper to send and parse than arrays of jsonb values. A projection that keeps history closes the
 * current versions the table holds that were followed, and adds the new versions; any other
 * replaces each key's row.
 */
export function documentStatements({
  projection,
  table,
}: ProjectionTarget): Readonly<{ load: Statement; close?: Statement; write: Statement }> {
  const current = projection.keepsHistory ? ' AND valid_to IS NULL' : '';
  return {
    load: {
      name: `${table}__load`,
      text: `SELECT key, position, doc FROM ${table} WHERE key = ANY(ARRAY(SELECT jsonb_array_elements_text($1::jsonb)))${current}`,
    },
    close: projection.keepsHistory
      ? {
          name: `${table}__close`,
          // By primary key: a lookup per version, however large the table and whatever the planner knows of it.
          text: `UPDATE ${table} AS current SET valid_to = closing.valid_to${readByDay(projection) ? ', valid_to_day = closing.valid_to_day' : ''}
                   FROM (SELECT item->>0 AS key, (item->>1)::bigint AS position, (item->>2)::bigint AS valid_to, item->>3 AS valid_to_day
                           FROM jsonb_array_elements($1::jsonb) AS item) AS closing
                  WHERE current.key = closing.key AND current.position = closing.position AND current.valid_to IS NULL`,
        }
      : undefined,
    write: {
      name: `${table}__write`,
      text: projection.keepsHistory
        ? `INSERT INTO ${table} (${historyColumns(projection)})
           SELECT row->>0, (row->>1)::bigint, (row->>3)::bigint,${readByDay(projection) ? ' row->>4,' : ''} row->2 FROM jsonb_array_elements($1::jsonb) AS row
           ON CONFLICT (key, position) DO NOTHING`
        : `INSERT INTO ${table} (key, position, doc) SELECT row->>0, (row->>1)::bigint, row->2 FROM jsonb_array_elements($1::jsonb) AS row
           ON CONFLICT (key) DO UPDATE SET position = excluded.position, doc = excluded.doc`,
    },
  };
}

/** The statements that write documents, as text, so that they can share a round trip with others. */
export function writeDocumentsSql(
  target: ProjectionTarget,
  { rows, closings, aside = [] }: DocumentChanges,
  render: StatementRenderer = inline,
): string {
  const { close, write } = documentStatements(target);
  const statements: string[] = [];
  if (closings.length > 0 && close) statements.push(render(close, [jsonLiteral(closings)]));
  if (rows.length > 0) statements.push(render(write, [jsonLiteral(rows)]));
  if (aside.length > 0) statements.push(recordSetAsideSql(aside, render));
  return statements.join('; ');
}

/** Writes documents in the caller's transaction, in one round trip. */
export async function writeDocuments(client: PoolClient, target: ProjectionTarget, changes: DocumentChanges): Promise<void> {
  const sql = writeDocumentsSql(target, changes);
  if (sql) await client.query(sql);
}

export function createTableSql(target: ProjectionTarget): string[] {
  return [createTableOnlySql(target), primaryKeySql(target), ...createIndexesSql(target)];
}

/** The table with its columns and no index, not even its key: a rebuild that only appends adds them once it is full. */
export function createTableOnlySql({ projection, table }: ProjectionTarget): string {
  const identity = ['key text NOT NULL', 'position bigint NOT NULL'];
  if (projection.keepsHistory) identity.push('valid_to bigint');
  if (readByDay(projection)) {
    identity.push(`day text GENERATED ALWAYS AS (doc->>'${checkedField(projection.dayField!)}') STORED`);
    identity.push('valid_to_day text');
  }
  return `CREATE TABLE ${table} (${[...identity, 'doc jsonb NOT NULL', ...(projection.columns ?? [])].join(', ')})`;
}

/** A document is found by its key; a version, by its key and the position it begins at. */
export function primaryKeySql({ projection, table }: ProjectionTarget): string {
  return `ALTER TABLE ${table} ADD PRIMARY KEY (${projection.keepsHistory ? 'key, position' : 'key'})`;
}

export function createIndexesSql({ projection, table }: ProjectionTarget): string[] {
  // The bounds, indexed one by one, make "what changed between two positions" a pair of range scans.
  const history = projection.keepsHistory ? ['(key) WHERE valid_to IS NULL', '(position)', '(valid_to)'] : [];
  // And by day, the same: "what changed between two days" is a range scan of each.
  const days = readByDay(projection) ? ['(day)', '(valid_to_day)'] : [];
  return [...history, ...days, ...(projection.indexes ?? [])].map((index) => `CREATE INDEX ON ${table} ${index}`);
}

/** The columns a history table is written by, in the order its rows give them. */
const historyColumns = (projection: Projection) => `key, position, valid_to, ${readByDay(projection) ? 'valid_to_day, ' : ''}doc`;

const COPY_ROWS_A_CHUNK = 200;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
/** A value as a field of COPY's text format, where a backslash, line break or tab must be escaped. */
const copyField = (value: string) => value.replace(/[\\\n\r\t]/g, (character) => COPY_ESCAPES[character]);

/**
 * Appends documents to a table with COPY, for a rebuild filling an empty table: far cheaper for
 * the database than statements, and no row is ever looked up. In the caller's transaction.
 */
export async function copyDocuments(
  client: PoolClient,
  { projection, table }: ProjectionTarget,
  rows: readonly DocumentRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const columns = projection.keepsHistory ? historyColumns(projection) : 'key, position, doc';
  const byDay = readByDay(projection);
  const chunks = function* () {
    for (let start = 0; start < rows.length; start += COPY_ROWS_A_CHUNK) {
      let chunk = '';
      for (const [key, position, doc, validTo, validToDay] of rows.slice(start, start + COPY_ROWS_A_CHUNK)) {
        const ends = projection.keepsHistory ? [validTo, ...(byDay ? [validToDay] : [])] : [];
        const end = ends.map((value) => `${value === null || value === undefined ? '\\N' : copyField(value)}\t`).join('');
        chunk += `${copyField(key)}\t${position}\t${end}${copyField(JSON.stringify(doc))}\n`;
      }
      yield chunk;
    }
  };
  await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)));
}

/**
 * A projection's documents between the table and the events: loads the rows events touch, skips
 * every event at or below the position a row remembers (so applying the same events twice changes
 * nothing), and hands over what changed for one statement. Kept for one batch by the runner; kept
 * across many by a rebuild, which holds up to `capacity` documents in memory and need not look in
 * the table for a key until it has let one go. A rebuild also holds each key's current version
 * back until the next one ends it (`holdCurrent`): every version is then written once, its end
 * known, instead of written open and closed again.
 */
export class DocumentBuffer {
  private readonly rows = new Map<string, Row>();
  /** Keys whose current document the table does not hold yet. */
  private readonly dirty = new Set<string>();
  /** Versions ended since the last write, for a projection that keeps history. */
  private readonly ended: DocumentRow[] = [];
  private readonly closings: Closing[] = [];
  /** Events set aside since the last write: they could not be folded. */
  private readonly aside: SetAside[] = [];
  private tableMayHoldMore: boolean;

  constructor(
    readonly target: ProjectionTarget,
    private readonly options: { capacity: number; tableStartsEmpty: boolean } = { capacity: 0, tableStartsEmpty: false },
  ) {
    this.tableMayHoldMore = !options.tableStartsEmpty;
  }

  /** How much a write would take now, current versions held within capacity aside. */
  get changed(): number {
    if (!this.target.projection.keepsHistory) return this.dirty.size;
    return this.ended.length + this.closings.length + Math.max(0, this.dirty.size - this.options.capacity);
  }

  /** Loads the documents the events touch, then applies the events. */
  async apply(client: Pool | PoolClient, events: readonly RecordedEvent[]): Promise<void> {
    const load = this.loadSql(events);
    if (load) this.remember((await client.query<StoredRow>(load)).rows);
    this.evolve(events);
  }

  /**
   * The query for the documents the events touch that are not in memory, if the table may hold
   * any: its rows go to `remember`, before `evolve`. As text, to share a round trip with others.
   */
  loadSql(events: readonly RecordedEvent[], render: StatementRenderer = inline): string | undefined {
    if (!this.tableMayHoldMore) return undefined;
    const { projection } = this.target;
    const missing = new Set<string>();
    for (const event of events) {
      if (!projection.handles(event)) continue;
      const key = projection.keyOf(event);
      if (!this.rows.has(key)) missing.add(key);
    }
    if (missing.size === 0) return undefined;
    return render(documentStatements(this.target).load, [jsonLiteral([...missing])]);
  }

  remember(rows: readonly StoredRow[]): void {
    for (const row of rows) this.rows.set(row.key, { position: BigInt(row.position), doc: row.doc, stored: true });
  }

  /** Applies the events to the documents in memory, skipping those at or below a document's position. */
  evolve(events: readonly RecordedEvent[]): void {
    const { projection } = this.target;
    for (const event of events) {
      if (!projection.handles(event)) continue;
      const key = projection.keyOf(event);
      const row = this.rows.get(key);
      if (row && row.position >= event.position) continue;
      const doc = evolveOrSetAside(this.target, row?.doc, event, this.aside);
      if (doc === undefined || doc === SET_ASIDE) continue;
      if (row && projection.keepsHistory) {
        if (row.stored) this.closings.push([key, row.position.toString(), event.position.toString(), dayOfVersion(projection, doc)]);
        else this.ended.push(endedVersion(projection, key, row.position, row.doc, event.position, doc));
      }
      // Re-inserted, so that the map's order is the order documents were last used in.
      this.rows.delete(key);
      this.rows.set(key, { position: event.position, doc, stored: false });
      this.dirty.add(key);
    }
  }

  /**
   * What changed, to be written by the caller; from now on it counts as written. With
   * `holdCurrent`, a projection that keeps history hands over only the versions that have ended,
   * and the current ones of the documents used least recently beyond capacity, which `forgetWritten`
   * then lets go.
   */
  takeChanges({ holdCurrent = false } = {}): DocumentChanges {
    const aside = this.aside.splice(0);
    const { keepsHistory } = this.target.projection;
    let current = [...this.dirty];
    if (keepsHistory && holdCurrent) {
      const beyondCapacity = new Set([...this.rows.keys()].slice(0, Math.max(0, this.rows.size - this.options.capacity)));
      current = current.filter((key) => beyondCapacity.has(key));
    }
    const written = current.map((key): DocumentRow => {
      const row = this.rows.get(key)!;
      row.stored = true;
      this.dirty.delete(key);
      return currentVersion(this.target.projection, key, row.position, row.doc);
    });
    return { rows: [...this.ended.splice(0), ...written], closings: this.closings.splice(0), aside };
  }

  /**
   * Lets go of the documents used least recently, down to capacity, except those not written yet.
   * Call it only once the changes taken so far are committed, and not while a load is awaited:
   * the documents loaded for the events must still be there when they are applied.
   */
  forgetWritten(): void {
    let excess = this.rows.size - this.options.capacity;
    if (excess <= 0) return;
    for (const key of this.rows.keys()) {
      if (excess <= 0) break;
      if (this.dirty.has(key)) continue;
      this.rows.delete(key);
      excess -= 1;
    }
    this.tableMayHoldMore = true;
  }
}
