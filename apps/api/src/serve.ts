import 'reflect-metadata';
import { ConfigError, openDatabase } from '@app/infrastructure';
import { createApp } from './app';
import { AppDependencies } from './app.module';
import { loadConfig } from './config/config';
import { createLogger } from './observability/logger';

/** Whoever stops the service (a terminal, a supervisor) waits about ten seconds before killing it. */
const STOP_DEADLINE_MS = 8_000;

function fail(message: string): never {
  process.stderr.write(`learning-actions: ${message}\n`);
  process.exit(1);
}

async function start(dependencies: Pick<AppDependencies, 'eventRules'>): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, (line) => logger.info(line));
  const app = await createApp({ config, pool: database.pool, logger, ...dependencies }).catch(async (error: unknown) => {
    // An embedded server started for this process must not outlive it.
    await database.close();
    throw error;
  });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error(`not stopped after ${STOP_DEADLINE_MS} ms; exiting`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    await app.close().catch((error: unknown) => logger.error({ err: error }, 'closing the app failed'));
    await database.close();
    process.exit(0);
  };
  // Handled for good, not once: a second signal while stopping must not kill the process before its embedded database.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  await app.listen({ port: config.port, host: process.env.HOST ?? '0.0.0.0' });
  logger.info({ port: config.port }, 'listening');
}

/** The service as `npm start` runs it, configured from the environment, until a signal stops it. */
export function serve(dependencies: Pick<AppDependencies, 'eventRules'> = {}): void {
  start(dependencies).catch((error: unknown) => {
    if (error instanceof ConfigError) fail(error.message);
    fail(`could not start: ${(error as Error)?.message ?? String(error)}`);
  });
}
