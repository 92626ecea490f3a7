import { Pool } from 'pg';
import { EventStore } from '@app/event-store';
import { Projection, projectionLag, rebuildProjections } from '@app/projections';

/** A small deterministic generator, so that a failing run can be replayed. */
export function seededRandom(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pause = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** Waits until every projection has applied the head of the log. */
export async function caughtUp(pool: Pool, store: EventStore, projections: readonly Projection[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lags = await projectionLag(pool, store, projections);
    if (lags.every((lag) => lag.events === 0n)) return;
    if (Date.now() > deadline) throw new Error(`projections still behind: ${lags.map((l) => `${l.name} ${l.events}`).join(', ')}`);
    await pause(50);
  }
}

export async function tableRows(pool: Pool, projection: Projection): Promise<{ key: string; position: string; doc: object }[]> {
  return (await pool.query(`SELECT key, position, doc FROM ${projection.table} ORDER BY key, position`)).rows;
}

/** Each projection's rows as the runner left them, and as a rebuild from the first event makes them. */
export async function rowsAndRebuilt(pool: Pool, store: EventStore, projections: readonly Projection[]) {
  const live = await Promise.all(projections.map((projection) => tableRows(pool, projection)));
  await rebuildProjections(pool, store, projections);
  const rebuilt = await Promise.all(projections.map((projection) => tableRows(pool, projection)));
  return { live, rebuilt };
}
