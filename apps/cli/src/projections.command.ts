import { ensureProjectionSchema, rebuildProjections } from '@app/projections';
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
    for (const name of result.projections) {
      lines.push(`${name}: rebuilt from ${result.events} events in ${seconds.toFixed(1)} s, swapped in at position ${result.position}`);
    }
    return lines.join('\n');
  });
}
