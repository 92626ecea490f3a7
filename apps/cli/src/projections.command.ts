import { ensureProjectionSchema, readQuarantine, rebuildProjections } from '@app/projections';
import { Pool } from 'pg';
import { READ_MODELS } from '@app/read-models';
import { withEventLog } from './event-log';
import { ProgressBar } from './progress-bar';

const USAGE = `usage: projections rebuild [name]   (names: ${READ_MODELS.map((projection) => projection.name).join(', ')})`;

/**
 * Rebuilds read models from the events into shadow tables and swaps each in once caught up,
 * while a running service keeps answering from the live ones.
 */
export async function projectionsCommand([action, name, ...rest]: string[]): Promise<string> {
  if (action !== 'rebuild' || rest.length > 0) throw new Error(USAGE);
  const chosen = name === undefined ? READ_MODELS : READ_MODELS.filter((projection) => projection.name === name);
  if (chosen.length === 0) throw new Error(`No projection is named '${name}'. ${USAGE}`);
  return withEventLog(async (pool, store) => {
    const lines: string[] = [];
    await ensureProjectionSchema(pool, READ_MODELS);
    const label = chosen.length === 1 ? chosen[0].name : `${chosen.length} read models`;
    const bar = new ProgressBar(label);
    const started = Date.now();
    const result = await rebuildProjections(pool, store, chosen, {
      onProgress: ({ position, head }) => bar.update(Number(position), Number(head)),
    });
    bar.update(Number(result.position), Number(result.position));
    bar.finish();
    const seconds = (Date.now() - started) / 1000;
    const setAside = await quarantinedBy(pool, result.projections);
    for (const name of result.projections) {
      lines.push(`${name}: rebuilt from ${result.events} events in ${seconds.toFixed(1)} s, swapped in at position ${result.position}`);
      const count = setAside.get(name) ?? 0;
      if (count > 0) lines.push(`  set aside ${count} event${count === 1 ? '' : 's'} it cannot fold: see GET /quarantine`);
    }
    return lines.join('\n');
  });
}

/** How many events each reader named has set aside. */
async function quarantinedBy(pool: Pool, readers: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const entry of await readQuarantine(pool, 10_000))
    if (readers.includes(entry.reader)) counts.set(entry.reader, (counts.get(entry.reader) ?? 0) + 1);
  return counts;
}
