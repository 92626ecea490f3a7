import { createPublicKey, KeyObject } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { EventStore, LogHead, RecordedEvent } from '@app/event-store';
import { AuditCheckpoint, ExportLine, Verification, auditExport, readAuditCheckpoints, verifyLog } from '@app/audit';
import { withEventLog } from './event-log';
import { ProgressBar } from './progress-bar';

const USAGE = 'usage: audit export [--out FILE] | audit verify (FILE | --database) [--public-key PEM_FILE] [--checkpoints JSON_FILE]';

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  if (index === -1) return undefined;
  const value = args[index + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value. ${USAGE}`);
  args.splice(index, 2);
  return value;
}

/** Writes the log's head, its signed checkpoints and every event, one JSON object per line. */
async function exportLog(args: string[]): Promise<string> {
  const out = option(args, '--out');
  if (args.length > 0) throw new Error(USAGE);
  return withEventLog(async (pool, store) => {
    const target: Writable = out ? createWriteStream(out, { mode: 0o600 }) : process.stdout;
    const write = async (line: ExportLine) => {
      if (!target.write(`${JSON.stringify(line)}\n`)) await once(target, 'drain');
    };
    const bar = new ProgressBar('export');
    const lines = auditExport(store, await readAuditCheckpoints(pool), {
      exportedAt: new Date(),
      onProgress: (position, head) => bar.update(Number(position), Number(head)),
    });
    let events = 0;
    for await (const line of lines) {
      await write(line);
      if (line.kind === 'event') events += 1;
    }
    bar.finish();
    if (out) target.end();
    return out ? `exported ${events} events to ${out}` : '';
  });
}

/** An export read back as a log: its head and checkpoints first, then the events in order. */
async function openExport(file: string): Promise<{ store: Pick<EventStore, 'readAll' | 'head'>; checkpoints: AuditCheckpoint[] }> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const parse = (text: string): ExportLine => JSON.parse(text) as ExportLine;
  const first = await lines.next();
  const headLine = first.done ? undefined : parse(first.value);
  if (headLine?.kind !== 'head') throw new Error(`${file} is not an audit export: it does not start with the log head.`);
  const head: LogHead = { position: BigInt(headLine.position), hash: headLine.hash };
  const checkpoints: AuditCheckpoint[] = [];
  let pending: RecordedEvent | undefined;
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    const line = parse(next.value);
    if (line.kind === 'checkpoint') {
      const { kind: _kind, ...checkpoint } = line;
      checkpoints.push(checkpoint);
    } else if (line.kind === 'event') {
      pending = { ...line, position: BigInt(line.position), recordedAt: new Date(line.recordedAt) } as RecordedEvent;
      break;
    }
  }
  const store: Pick<EventStore, 'readAll' | 'head'> = {
    head: async () => head,
    readAll: async (after, limit) => {
      const events: RecordedEvent[] = [];
      while (events.length < limit && pending) {
        if (pending.position > after) events.push(pending);
        const next = await lines.next();
        const line = next.done ? undefined : parse(next.value);
        pending =
          line?.kind === 'event'
            ? ({ ...line, position: BigInt(line.position), recordedAt: new Date(line.recordedAt) } as RecordedEvent)
            : undefined;
      }
      return events;
    },
  };
  return { store, checkpoints };
}

/**
 * Verifies an export (or the database) without the service. Checkpoints count only under a public
 * key the auditor trusts: given with --public-key, not taken from what is being verified.
 */
async function verify(args: string[]): Promise<string> {
  const keyFile = option(args, '--public-key');
  const keptFile = option(args, '--checkpoints');
  const database = args[0] === '--database';
  if (args.length !== 1) throw new Error(USAGE);
  const publicKey: KeyObject | undefined = keyFile ? createPublicKey(await readFile(keyFile, 'utf8')) : undefined;
  const kept: AuditCheckpoint[] | undefined = keptFile ? JSON.parse(await readFile(keptFile, 'utf8')) : undefined;
  const bar = new ProgressBar('verify');
  const run = async (store: Pick<EventStore, 'readAll' | 'head'>, found: AuditCheckpoint[]): Promise<Verification> =>
    verifyLog(store, {
      checkpoints: publicKey ? (kept ?? found) : [],
      publicKey,
      onProgress: (checked, head) => bar.update(checked, Number(head)),
    });
  const result = database
    ? await withEventLog(async (pool, store) => run(store, await readAuditCheckpoints(pool)))
    : await openExport(args[0]).then(({ store, checkpoints }) => run(store, checkpoints));
  bar.finish();
  if (!result.ok) process.exitCode = 1;
  const checkpointNote = publicKey ? '' : ' (no --public-key: signed checkpoints were not checked)';
  process.stderr.write(`${result.ok ? 'verified' : 'FAILED'}: ${result.checked} events checked${checkpointNote}\n`);
  return JSON.stringify({
    ok: result.ok,
    checked: result.checked,
    head: result.head.position.toString(),
    ...(result.firstBad && { firstBad: result.firstBad }),
  });
}

export async function auditCommand([action, ...args]: string[]): Promise<string> {
  if (action === 'export') return exportLog(args);
  if (action === 'verify') return verify(args);
  throw new Error(USAGE);
}
