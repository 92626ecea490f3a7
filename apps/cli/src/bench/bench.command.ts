import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@app/infrastructure';
import { benchImport } from './import.bench';
import { benchLag, benchLog } from './log.bench';
import { benchSchemaCheck, benchWrites } from './writes.bench';

/**
 * The log section runs last: it leaves a million fresh rows to the server's housekeeping, and the lag
 * measured right after it had a p99 of 75.6 ms at 1,000 writes/s, against 23.8 ms measured alone.
 */
const SECTIONS: Record<string, (serverUrl: string) => Promise<string[]>> = {
  writes: benchWrites,
  schema: benchSchemaCheck,
  lag: benchLag,
  import: benchImport,
  log: benchLog,
};

/**
 * Prints every benchmark figure next to its raw PostgreSQL baseline, all measured in one run
 * against one embedded server. BENCH_ONLY=writes, schema, lag, import or log runs one section.
 */
export async function benchCommand(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  if (only && !SECTIONS[only]) throw new Error(`BENCH_ONLY must be one of: ${Object.keys(SECTIONS).join(', ')}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'learning-actions-bench-'));
  const server = await startEmbeddedPostgres({ dataDir, persistent: false });
  try {
    for (const [name, section] of Object.entries(SECTIONS)) {
      if (only && name !== only) continue;
      process.stdout.write(`== ${name}\n${(await section(server.url)).join('\n')}\n`);
    }
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
