import { Pool } from 'pg';
import { isDatabaseUnavailable, migrate } from '@app/event-store';
import { ConfigError, DatabaseConfig } from './config';
import { startEmbeddedPostgres } from './embedded-postgres';

export type Database = Readonly<{ pool: Pool; close: () => Promise<void> }>;

export function createPool(url: string): Pool {
  const pool = new Pool({ connectionString: url, max: 20, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000 });
  // An idle client losing its server is reported here; the next query reconnects.
  pool.on('error', () => undefined);
  // So is a checked-out client losing it between queries: its next query fails, and the caller handles that.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

function describeServer(url: string): string {
  const { hostname, port, pathname } = new URL(url);
  return `${hostname}:${port || 5432}${pathname}`;
}

/** Connects to DATABASE_URL, or starts the embedded server under DATA_DIR, and applies migrations. */
export async function openDatabase(config: DatabaseConfig, log: (line: string) => void): Promise<Database> {
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres({ dataDir: config.dataDir, persistent: true }).catch((error: Error) => {
        throw new ConfigError(`Could not start the embedded PostgreSQL under ${config.dataDir}: ${error?.message ?? error}`);
      });
  const url = config.databaseUrl ?? embedded!.url;
  if (embedded) log(`embedded PostgreSQL ${embedded.shared ? 'already running' : 'started'} under ${config.dataDir}`);
  const pool = createPool(url);
  const close = async () => {
    await pool.end().catch(() => undefined);
    await embedded?.stop();
  };
  try {
    await migrate(pool);
  } catch (error) {
    await close();
    const reason = isDatabaseUnavailable(error) ? 'the server cannot be reached' : (error as Error).message;
    throw new ConfigError(`Cannot use the database at ${describeServer(url)}: ${reason}.`);
  }
  return { pool, close };
}
