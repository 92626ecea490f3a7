import { ChildProcess } from 'node:child_process';
import { PostgresEventStore } from '@app/event-store';
import { READ_MODELS, actionList } from '@app/read-models';
import { ADMIN, AUDIT_SIGNING_KEY, DEV_SECRET, SUBGROUP, signToken } from './support/app';
import { TestDatabase, createTestDatabase } from '@app/testing';
import { killHard, startServiceProcess } from './support/processes';
import { caughtUp, pause, rowsAndRebuilt } from './support/projection-checks';

type Instance = Readonly<{ url: string; process: ChildProcess }>;

async function startInstance(databaseUrl: string): Promise<Instance> {
  const { url, child } = await startServiceProcess({
    DATABASE_URL: databaseUrl,
    AUTH_DEV_SECRET: DEV_SECRET,
    AUDIT_SIGNING_KEY,
    DEMO: 'off',
  });
  return { url, process: child };
}

describe('two service processes on one database', () => {
  let database: TestDatabase;
  const instances: Instance[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    instances.push(await startInstance(database.url));
    instances.push(await startInstance(database.url));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(instances.map((instance) => killHard(instance.process)));
    await database.drop();
  });

  it('lose their leader under load: the other takes over within 5 s, nothing lost or applied twice', async () => {
    const admin = `Bearer ${await signToken(ADMIN)}`;
    const subgroup = `Bearer ${await signToken(SUBGROUP)}`;
    const post = async (instance: Instance, path: string, body: object) => {
      const response = await fetch(`${instance.url}${path}`, {
        method: 'POST',
        headers: { authorization: subgroup, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id: string; position: string };
    };
    const isLeader = async (instance: Instance) => {
      const metrics = await fetch(`${instance.url}/metrics`, { headers: { authorization: admin } }).then((response) => response.text());
      return /^projection_runner_leader 1$/m.test(metrics);
    };

    let leaders: boolean[] = [];
    for (let tries = 0; tries < 100 && !leaders.includes(true); tries++, await pause(50))
      leaders = await Promise.all(instances.map(isLeader));
    expect(leaders.filter(Boolean)).toHaveLength(1);
    const leader = instances[leaders.indexOf(true)];
    const survivor = instances[leaders.indexOf(false)];

    await fetch(`${survivor.url}/partners`, {
      method: 'POST',
      headers: { authorization: admin, 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'police', name: 'Police' }),
    });
    const review = await post(survivor, '/reviews', { reference: 'CSPR-9', title: 'Child T', kind: 'cspr' });
    const recommendation = await post(survivor, `/reviews/${review.id}/recommendations`, { text: 'Share information sooner' });
    const actions: string[] = [];
    for (let i = 0; i < 16; i++) {
      const action = await post(survivor, '/actions', { recommendationId: recommendation.id, description: `Action ${i}` });
      await post(survivor, `/actions/${action.id}/assign`, { partnerId: 'police', dueDate: '2027-03-31' });
      actions.push(action.id);
    }

    let stopping = false;
    let acknowledged = 0;
    const load = Promise.all(
      Array.from({ length: 12 }, async (_, writer) => {
        for (let n = 0; !stopping; n++) {
          const instance = leader.process.exitCode === null && leader.process.signalCode === null && n % 2 ? leader : survivor;
          try {
            await post(instance, `/actions/${actions[(writer + n) % actions.length]}/evidence`, { summary: `Evidence ${writer}.${n}` });
            acknowledged += 1;
          } catch {
            // A write in flight to the process we kill has no answer: whether it committed is settled below from the log.
          }
        }
      }),
    );
    await pause(1500);
    await killHard(leader.process);
    const killedAt = Date.now();
    while (!(await isLeader(survivor))) {
      expect(Date.now() - killedAt).toBeLessThan(5000);
      await pause(25);
    }
    const takeoverMs = Date.now() - killedAt;
    await pause(1500);
    stopping = true;
    await load;

    const store = new PostgresEventStore(database.pool);
    await caughtUp(database.pool, store, READ_MODELS, 10_000);
    expect(takeoverMs).toBeLessThan(5000);
    expect(acknowledged).toBeGreaterThan(50);
    const submitted = await database.pool.query<{ key: string; n: number }>(
      `SELECT substr(stream_id, 8) AS key, count(*)::int AS n FROM events WHERE type = 'EvidenceSubmitted' GROUP BY stream_id`,
    );
    const { rows } = await database.pool.query<{ key: string; doc: { evidence: unknown[] } }>(`SELECT key, doc FROM ${actionList.table}`);
    const evidenceInReadModel = Object.fromEntries(rows.map((row) => [row.key, row.doc.evidence.length]));
    expect(submitted.rows.reduce((sum, row) => sum + row.n, 0)).toBeGreaterThanOrEqual(acknowledged);
    for (const { key, n } of submitted.rows) expect(evidenceInReadModel[key]).toBe(n);
    const { live, rebuilt } = await rowsAndRebuilt(database.pool, store, READ_MODELS);
    live.forEach((tableRows, index) => expect(tableRows).toEqual(rebuilt[index]));
  }, 60_000);
});
