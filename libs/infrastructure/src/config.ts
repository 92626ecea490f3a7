import { LOG_STREAM, LOG_STREAM_NAME } from '@app/event-store';

/** A setting is missing or wrong; the message is one line that says what to set. */
export class ConfigError extends Error {}

export type DatabaseConfig = Readonly<{ databaseUrl?: string; dataDir: string }>;

export function parseUrl(name: string, value: string, protocols: string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL.`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}.`);
  }
  return value;
}

function logStream(value: string | undefined): string {
  if (!value) return LOG_STREAM;
  if (!LOG_STREAM_NAME.test(value)) throw new ConfigError('EVENTSTOREDB_LOG_STREAM must be letters, digits and hyphens, at most 100.');
  return value;
}

/** Where the events live: DATABASE_URL, or the embedded server under DATA_DIR. All the CLI needs. */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv): DatabaseConfig {
  return {
    databaseUrl: env.DATABASE_URL ? parseUrl('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']) : undefined,
    dataDir: env.DATA_DIR || './.data',
  };
}

export type EventStoreConfig = Readonly<{
  eventStore: 'postgres' | 'eventstoredb';
  eventStoreDbUrl?: string;
  /** The EventStoreDB stream that holds the log. */
  eventStoreDbLogStream: string;
}>;

/** Which store holds the events, and how to reach EventStoreDB when it is that one. The CLI needs this too. */
export function loadEventStoreConfig(env: NodeJS.ProcessEnv): EventStoreConfig {
  const eventStore = env.EVENT_STORE ?? 'postgres';
  if (eventStore !== 'postgres' && eventStore !== 'eventstoredb') {
    throw new ConfigError(`EVENT_STORE must be 'postgres' or 'eventstoredb', not '${eventStore}'.`);
  }
  if (eventStore === 'eventstoredb' && !env.EVENTSTOREDB_URL) {
    throw new ConfigError('EVENT_STORE=eventstoredb needs EVENTSTOREDB_URL, e.g. esdb://localhost:2113?tls=false.');
  }
  return {
    eventStore,
    eventStoreDbUrl:
      eventStore === 'eventstoredb' ? parseUrl('EVENTSTOREDB_URL', env.EVENTSTOREDB_URL!, ['esdb:', 'esdb+discover:']) : undefined,
    eventStoreDbLogStream: logStream(env.EVENTSTOREDB_LOG_STREAM),
  };
}
