import { ChildProcess } from 'node:child_process';
import { chown, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { spawnTs, waitForLine } from './support/processes';

/** The uid and gid of `nobody` on Debian and most Linux systems. */
const ORDINARY_USER = { uid: 65534, gid: 65534 };
const asRoot = process.getuid?.() === 0;

type Server = Readonly<{ client: Client; dataDir: string; stop: () => Promise<void> }>;

/** The embedded server, started by a process of its own, in the environment and as the OS user given. */
async function startServer(env: Record<string, string>, user: { uid?: number; gid?: number } = {}): Promise<Server> {
  const dataDir = await mkdtemp(join(tmpdir(), 'embedded-postgres-'));
  if (user.uid !== undefined) await chown(dataDir, user.uid, user.gid ?? user.uid);
  const child: ChildProcess = spawnTs('test/support/embedded-server.process.ts', { ...env, DATA_DIR: dataDir }, user);
  const [, url] = await waitForLine(child, /^ready (\S+)$/, 60_000).catch((error: unknown) => {
    child.kill('SIGTERM');
    throw error;
  });
  const client = new Client({ connectionString: url });
  await client.connect();
  const stop = async () => {
    await client.end();
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  return { client, dataDir, stop };
}

describe('the embedded PostgreSQL server', () => {
  describe('on a machine without a UTF-8 locale, where initdb left to itself makes a SQL_ASCII database', () => {
    let server: Server;
    beforeAll(async () => {
      server = await startServer({ LC_ALL: 'C' });
    }, 90_000);
    afterAll(() => server?.stop(), 30_000);

    it('keeps text in UTF-8', async () => {
      const { rows } = await server.client.query(
        `SELECT current_setting('server_encoding') AS encoding, length($1::text) AS characters, upper($1::text) AS upper`,
        ['zoë ✓ 😀'],
      );
      expect(rows[0]).toEqual({ encoding: 'UTF8', characters: 7, upper: 'ZOË ✓ 😀' });
    });

    it('sorts text by code point with its own collation, not the C library’s', async () => {
      const { rows } = await server.client.query(
        `SELECT array_agg(word ORDER BY word) AS sorted,
                (SELECT datlocprovider FROM pg_database WHERE datname = current_database()) AS provider
           FROM unnest($1::text[]) AS word`,
        [['é', 'b', 'Z', '😀', 'a', 'ä']],
      );
      expect(rows[0]).toEqual({ sorted: ['Z', 'a', 'b', 'ä', 'é', '😀'], provider: 'b' });
    });

    it(asRoot ? 'runs as the postgres OS user when started as root' : 'runs as the user who started it', async () => {
      const files = await stat(join(server.dataDir, 'pg', 'PG_VERSION'));
      if (asRoot) expect(files.uid).not.toBe(0);
      else expect(files.uid).toBe(process.getuid!());
    });
  });

  describe('started by an ordinary user', () => {
    let server: Server;
    beforeAll(async () => {
      // Run as root (as CI is), the test becomes that user; otherwise it is one already.
      server = await startServer({ LANG: 'C.UTF-8' }, asRoot ? ORDINARY_USER : {});
    }, 90_000);
    afterAll(() => server?.stop(), 30_000);

    it('keeps its files as that user and takes writes', async () => {
      const files = await stat(join(server.dataDir, 'pg', 'PG_VERSION'));
      expect(files.uid).toBe(asRoot ? ORDINARY_USER.uid : process.getuid!());
      await server.client.query('CREATE TABLE written (word text)');
      await server.client.query('INSERT INTO written VALUES ($1)', ['é']);
      const { rows } = await server.client.query('SELECT word FROM written');
      expect(rows).toEqual([{ word: 'é' }]);
    });
  });
});
