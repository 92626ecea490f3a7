import { PostgresEventStore } from '@app/event-store';
import { ensureProjectionSchema, rebuildProjections } from '@app/projections';
import { READ_MODELS } from '@app/read-models';
import { loadDatabaseConfig } from '../../api/src/config/config';
import { openDatabase } from '../../api/src/database/database';
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
  const database = await openDatabase(loadDatabaseConfig(process.env), (line) => process.stderr.write(`${line}\n`));
  const lines: string[] = [];
  try {
    const store = new PostgresEventStore(database.pool);
    await ensureProjectionSchema(database.pool, READ_MODELS);
    const label = chosen.length === 1 ? chosen[0].name : `${chosen.length} read models`;
    const bar = new ProgressBar(label);
    const started = Date.now();
    const result = await rebuildProjections(database.pool, store, chosen, {
      onProgress: ({ position, head }) => bar.update(Number(position), Number(head)),
    });
    bar.update(Number(result.position), Number(result.position));
    bar.finish();
    const seconds = (Date.now() - started) / 1000;
    for (const name of result.projections) {
      lines.push(`${name}: rebuilt from ${result.events} events in ${seconds.toFixed(1)} s, swapped in at position ${result.position}`);
    }
  } finally {
    await database.close();
  }
  return lines.join('\n');
}
