import { AuditCheckpoint } from './audit-checkpoint';
import { EventStore } from '@app/event-store';

/** One line of an audit export: the log head first, then the signed checkpoints, then every event in order. */
export type ExportLine =
  | { kind: 'head'; position: string; hash: string; exportedAt: string }
  | ({ kind: 'checkpoint' } & AuditCheckpoint)
  | {
      kind: 'event';
      position: string;
      streamId: string;
      version: number;
      eventId: string;
      type: string;
      data: object;
      metadata: object;
      recordedAt: string;
      hash: string;
    };

const PAGE = 5000n;

/**
 * The log as an auditor takes it away, up to the head read first, a page at a time so that memory
 * does not grow with the log. `audit verify FILE` checks it without the service.
 */
export async function* auditExport(
  store: Pick<EventStore, 'head' | 'readAll'>,
  checkpoints: readonly AuditCheckpoint[],
  options: { exportedAt: Date; onProgress?: (position: bigint, head: bigint) => void },
): AsyncGenerator<ExportLine> {
  const head = await store.head();
  yield { kind: 'head', position: head.position.toString(), hash: head.hash, exportedAt: options.exportedAt.toISOString() };
  for (const checkpoint of checkpoints) yield { kind: 'checkpoint', ...checkpoint };
  for (let after = 0n; after < head.position;) {
    const events = await store.readAll(after, Number(head.position - after < PAGE ? head.position - after : PAGE));
    if (events.length === 0) break;
    for (const event of events)
      yield { kind: 'event', ...event, position: event.position.toString(), recordedAt: event.recordedAt.toISOString() };
    after = events[events.length - 1].position;
    options.onProgress?.(after, head.position);
  }
}
