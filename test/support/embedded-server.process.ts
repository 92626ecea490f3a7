// A process that starts the embedded PostgreSQL server under DATA_DIR, in the environment it is
// given, and stops it on SIGTERM: for tests of how the server is made.
import { startEmbeddedPostgres } from '@app/infrastructure';

async function main(): Promise<void> {
  const database = await startEmbeddedPostgres({ dataDir: process.env.DATA_DIR!, persistent: false });
  process.once('SIGTERM', () => void database.stop().then(() => process.exit(0)));
  process.stdout.write(`ready ${database.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
