import { Pool, PoolClient } from 'pg';

export type LeadershipOptions = Readonly<{
  pool: Pool;
  /** Every process asking for leadership under this name competes with the others for it. */
  name: string;
  /** The work of the leader, on the session that holds the lock; it returns when asked to stop, or throws. */
  lead: (session: PoolClient) => Promise<void>;
  stopped: () => boolean;
  /** Waits this long, or less when woken: between elections and after a failure. */
  pause: (milliseconds: number) => Promise<void>;
  electionIntervalMs: number;
  /** Called when the session is lost while leading, so that the leader stops waiting and notices. */
  onSessionError?: () => void;
  onLost?: () => void;
  onError?: (error: unknown) => void;
}>;

/**
 * Of all processes that run this under the same name, one at a time leads: the one holding a
 * PostgreSQL advisory lock on its own session. When its process or connection dies, the lock is
 * released with the session and another takes over within an election interval.
 */
export async function keepLeading(options: LeadershipOptions): Promise<void> {
  const { pool, name, lead, stopped, pause, electionIntervalMs } = options;
  while (!stopped()) {
    let session: PoolClient | undefined;
    try {
      session = await pool.connect();
      // A session lost while we hold it is reported here; the next query on it fails and we re-elect.
      session.on('error', () => options.onSessionError?.());
      const { rows } = await session.query<{ leader: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS leader', [name]);
      if (rows[0].leader) await lead(session);
      else await pause(electionIntervalMs);
    } catch (error) {
      if (!stopped()) options.onError?.(error);
      await pause(electionIntervalMs);
    } finally {
      options.onLost?.();
      session?.removeAllListeners('notification');
      // Closing the session (not returning it to the pool) is what gives the lock up.
      session?.release(true);
    }
  }
}
