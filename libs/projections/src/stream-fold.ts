import { RecordedEvent } from '@app/event-store';
import { DocumentRow, currentVersion, endedVersion } from './document-table';
import { ProjectionTarget } from './projection';
import { SET_ASIDE, SetAside, evolveOrSetAside } from './quarantine';

/** Positions as decimal text, compared as the numbers they are. */
const byPosition = ([, a]: DocumentRow, [, b]: DocumentRow) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * A projection's documents folded from the log read stream by stream, for a projection whose
 * documents are each kept within one stream (`keyedWithinStream`): a document's events arrive
 * together, in order, so each version is handed over once and final, ended by the next or, when
 * its stream ends, as current. Nothing is kept from one stream to the next.
 */
export class StreamFold {
  private readonly current = new Map<string, { position: bigint; doc: object }>();
  private rows: DocumentRow[] = [];
  private currentRows: DocumentRow[] = [];
  /** Events set aside since rows were last taken: they could not be folded. */
  private aside: SetAside[] = [];

  /** `currentTarget`, for a projection that keeps history: the table of the documents as they are now, filled alongside. */
  constructor(
    readonly target: ProjectionTarget,
    readonly currentTarget?: ProjectionTarget,
  ) {}

  /** Rows ready to be written. */
  get pending(): number {
    return this.rows.length + this.currentRows.length;
  }

  apply(event: RecordedEvent): void {
    const { projection } = this.target;
    if (!projection.handles(event)) return;
    const key = projection.keyOf(event);
    const previous = this.current.get(key);
    const doc = evolveOrSetAside(this.target, previous?.doc, event, this.aside);
    if (doc === undefined || doc === SET_ASIDE) return;
    if (previous && projection.keepsHistory)
      this.rows.push(endedVersion(projection, key, previous.position, previous.doc, event.position, doc));
    this.current.set(key, { position: event.position, doc });
  }

  /** The stream has no more events: its documents' current versions are final. */
  endStream(): void {
    const { projection } = this.target;
    for (const [key, { position, doc }] of this.current) {
      this.rows.push(currentVersion(projection, key, position, doc));
      if (this.currentTarget) this.currentRows.push([key, position.toString(), doc]);
    }
    this.current.clear();
  }

  /** The events set aside since this was last asked; from now on they count as recorded. */
  takeSetAside(): SetAside[] {
    return this.aside.splice(0);
  }

  /**
   * What is ready to be written, table by table; from now on it counts as written. Versions come
   * in the order of their positions, as the runner writes them live: each write then lays the
   * versions of any stretch of the log on neighbouring pages, which is what counting as of a past
   * position reads (the versions that began or ended since the last tally).
   */
  takeRows(): [ProjectionTarget, DocumentRow[]][] {
    const versions = this.target.projection.keepsHistory ? this.rows.sort(byPosition) : this.rows;
    const taken: [ProjectionTarget, DocumentRow[]][] = [[this.target, versions]];
    if (this.currentTarget) taken.push([this.currentTarget, this.currentRows]);
    this.rows = [];
    this.currentRows = [];
    return taken;
  }
}
