import { Pool, PoolClient, QueryResult } from 'pg';

export type TransactionOptions<T> = Readonly<{
  /** Statements that open the transaction, sent in one round trip; `work` is given their results. */
  begin?: string;
  /**
   * Statements the session needs before the transaction (`PREPARE`s), sent in the round trip that
   * opens it. A rollback does not undo them: if the transaction fails, the session is closed.
   */
  prepare?: (client: PoolClient) => readonly string[];
  /** Statements to run just before COMMIT, in the same round trip as the COMMIT. */
  finish?: (result: T) => string;
}>;

/** Runs `work` in one transaction on one pooled connection: all of it commits, or none of it. */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient, begun: QueryResult[]) => Promise<T>,
  { begin = 'BEGIN', prepare, finish }: TransactionOptions<T> = {},
): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let preparing: readonly string[] = [];
  try {
    preparing = prepare?.(client) ?? [];
    const answer = (await client.query([...preparing, begin].join('; '))) as QueryResult | QueryResult[];
    const result = await work(client, Array.isArray(answer) ? answer : [answer]);
    const closing = finish?.(result);
    await client.query(closing ? `${closing}; COMMIT` : 'COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
    if (preparing.length > 0) broken ??= error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    client.release(broken);
  }
}
