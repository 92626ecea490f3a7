import { Pool, PoolClient } from 'pg';
import { RecordedEvent } from '@app/event-store';
import { ProjectionTarget } from './projection';
import { sqlLiteral } from './sql-literal';

/** A document as a table holds it. */
export type StoredRow = { key: string; position: string; doc: object };
type Row = { position: bigint; doc: object };
/** A document as written: key, position and the document itself. */
export type DocumentRow = [string, string, object];

/**
 * The statement that writes documents: replacing each key's row, or, for a projection that keeps
 * history, adding each version and closing the one it follows. The rows travel as one JSON text,
 * far cheaper to send and parse than an array of jsonb values, and as a literal, so the statement
 * can share a round trip with others.
 */
export function writeDocumentsSql({ projection, table }: ProjectionTarget, rows: readonly DocumentRow[]): string {
  if (rows.length === 0) return '';
  const incoming = `SELECT row->>0 AS key, (row->>1)::bigint AS position, row->2 AS doc FROM jsonb_array_elements(${sqlLiteral(JSON.stringify(rows))}::jsonb) AS row`;
  return projection.keepsHistory
    ? `WITH incoming AS (${incoming}),
            versions AS (SELECT key, position, doc, lead(position) OVER (PARTITION BY key ORDER BY position) AS valid_to FROM incoming),
            closed AS (
              UPDATE ${table} AS current SET valid_to = first.position
                FROM (SELECT key, min(position) AS position FROM incoming GROUP BY key) AS first
               WHERE current.key = first.key AND current.valid_to IS NULL AND current.position < first.position
            )
       INSERT INTO ${table} (key, position, valid_to, doc) SELECT key, position, valid_to, doc FROM versions
       ON CONFLICT (key, position) DO NOTHING`
    : `INSERT INTO ${table} (key, position, doc) ${incoming}
       ON CONFLICT (key) DO UPDATE SET position = excluded.position, doc = excluded.doc`;
}

/** Writes documents in the caller's transaction, in one statement. */
export async function writeDocuments(client: PoolClient, target: ProjectionTarget, rows: readonly DocumentRow[]): Promise<void> {
  const sql = writeDocumentsSql(target, rows);
  if (sql) await client.query(sql);
}

export function createTableSql(target: ProjectionTarget): string[] {
  return [createTableOnlySql(target), ...createIndexesSql(target)];
}

export function createTableOnlySql({ projection, table }: ProjectionTarget): string {
  const identity = projection.keepsHistory
    ? [
        'key text NOT NULL',
        'position bigint NOT NULL',
        'valid_to bigint',
        'valid int8range GENERATED ALWAYS AS (int8range(position, valid_to)) STORED',
        'PRIMARY KEY (key, position)',
      ]
    : ['key text PRIMARY KEY', 'position bigint NOT NULL'];
  return `CREATE TABLE ${table} (${[...identity, 'doc jsonb NOT NULL', ...(projection.columns ?? [])].join(', ')})`;
}

export function createIndexesSql({ projection, table }: ProjectionTarget): string[] {
  // The derived columns ride along in the GiST index, so "every row valid at P" can be an index-only scan.
  const derived = (projection.columns ?? []).map((column) => column.trim().split(/\s+/)[0]);
  const validity = `USING gist (valid)${derived.length > 0 ? ` INCLUDE (${derived.join(', ')})` : ''}`;
  // The bounds, indexed one by one, make "what changed between two positions" a pair of range scans.
  const history = projection.keepsHistory ? [validity, '(key) WHERE valid_to IS NULL', '(position)', '(valid_to)'] : [];
  return [...history, ...(projection.indexes ?? [])].map((index) => `CREATE INDEX ON ${table} ${index}`);
}

/**
 * A projection's documents between the table and the events: loads the rows events touch, skips
 * every event at or below the position a row remembers (so applying the same events twice changes
 * nothing), and writes the changed rows back in one statement on `flush`. Kept for one batch by
 * the runner; kept across many by a rebuild, which holds up to `capacity` documents in memory and
 * need not look in the table for a key until it has let one go.
 */
export class DocumentBuffer {
  private readonly rows = new Map<string, Row>();
  private readonly dirty = new Set<string>();
  /** Every version made since the last write, for a projection that keeps history. */
  private readonly versions: DocumentRow[] = [];
  private tableMayHoldMore: boolean;

  constructor(
    readonly target: ProjectionTarget,
    private readonly options: { capacity: number; tableStartsEmpty: boolean } = { capacity: 0, tableStartsEmpty: false },
  ) {
    this.tableMayHoldMore = !options.tableStartsEmpty;
  }

  get changed(): number {
    return this.target.projection.keepsHistory ? this.versions.length : this.dirty.size;
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
  loadSql(events: readonly RecordedEvent[]): string | undefined {
    if (!this.tableMayHoldMore) return undefined;
    const { projection, table } = this.target;
    const missing = new Set<string>();
    for (const event of events) {
      if (!projection.handles(event)) continue;
      const key = projection.keyOf(event);
      if (!this.rows.has(key)) missing.add(key);
    }
    if (missing.size === 0) return undefined;
    const current = projection.keepsHistory ? ' AND valid_to IS NULL' : '';
    return `SELECT key, position, doc FROM ${table} WHERE key IN (${[...missing].map(sqlLiteral).join(', ')})${current}`;
  }

  remember(rows: readonly StoredRow[]): void {
    for (const row of rows) this.rows.set(row.key, { position: BigInt(row.position), doc: row.doc });
  }

  /** Applies the events to the documents in memory, skipping those at or below a document's position. */
  evolve(events: readonly RecordedEvent[]): void {
    const { projection } = this.target;
    for (const event of events) {
      if (!projection.handles(event)) continue;
      const key = projection.keyOf(event);
      const row = this.rows.get(key);
      if (row && row.position >= event.position) continue;
      const doc = projection.evolve(row?.doc, event);
      if (doc === undefined) continue;
      // Re-inserted, so that the map's order is the order documents were last used in.
      this.rows.delete(key);
      this.rows.set(key, { position: event.position, doc });
      this.dirty.add(key);
      if (projection.keepsHistory) this.versions.push([key, event.position.toString(), doc]);
    }
  }

  /** The changed documents, to be written by the caller; from now on they count as unchanged. */
  takeChanges(): DocumentRow[] {
    if (this.target.projection.keepsHistory) {
      this.dirty.clear();
      return this.versions.splice(0);
    }
    const changes = [...this.dirty].map((key): DocumentRow => {
      const row = this.rows.get(key)!;
      return [key, row.position.toString(), row.doc];
    });
    this.dirty.clear();
    return changes;
  }

  /**
   * Lets go of the documents used least recently, down to capacity, except those changed since
   * their last write. Call it only once the changes taken so far are committed.
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
