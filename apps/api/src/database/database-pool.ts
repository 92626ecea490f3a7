import { Pool } from 'pg';
import { inTransaction } from '@app/projections';

/** The PostgreSQL pool of the read models (and of the events, when they live there), for injection. */
export const DATABASE_POOL = Symbol('DatabasePool');

/**
 * Creates a table the service keeps besides the events and read models (`CREATE ... IF NOT
 * EXISTS` statements), once: instances starting together take turns, so that none of them fails
 * on a type or index another is creating at the same moment.
 */
export async function createTables(pool: Pool, name: string, statements: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`schema:${name}`]);
    await client.query(statements);
  });
}
