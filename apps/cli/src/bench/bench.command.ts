import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../../../api/src/database/embedded-postgres';
import { benchLag, benchLog } from './log.bench';
import { benchWrites } from './writes.bench';

const SECTIONS: Record<string, (serverUrl: string) => Promise<string[]>> = {
  writes: benchWrites,
  log: benchLog,
  lag: benchLag,
};

/**
 * Prints every benchmark figure next to its raw PostgreSQL baseline, all measured in one run
 * against one embedded server. BENCH_ONLY=writes, log or lag runs one section.
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
