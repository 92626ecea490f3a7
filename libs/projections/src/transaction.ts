import { Pool, PoolClient, QueryResult } from 'pg';

export type TransactionOptions<T> = Readonly<{
  /** Statements that open the transaction, sent in one round trip; `work` is given their results. */
  begin?: string;
  /** Statements to run just before COMMIT, in the same round trip as the COMMIT. */
  finish?: (result: T) => string;
}>;

/** Runs `work` in one transaction on one pooled connection: all of it commits, or none of it. */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient, begun: QueryResult[]) => Promise<T>,
  { begin = 'BEGIN', finish }: TransactionOptions<T> = {},
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    const answer = (await client.query(begin)) as QueryResult | QueryResult[];
    const result = await work(client, Array.isArray(answer) ? answer : [answer]);
    const closing = finish?.(result);
    await client.query(closing ? `${closing}; COMMIT` : 'COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    throw error;
  } finally {
    client.release(broken);
  }
}
