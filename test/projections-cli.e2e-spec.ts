import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { EVENT_STORE, EventStore } from '@app/event-store';
import { AUDITOR, CHAIR, TestService, seedAction, startService } from './support/app';
import { REGISTER_TS } from './support/processes';

const cli = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['-r', REGISTER_TS, 'apps/cli/src/main.ts', ...args], {
    env: { PATH: process.env.PATH!, ...env },
    cwd: process.cwd(),
    timeout: 60_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

describe('npm run cli -- projections rebuild', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startService();
    await seedAction(service);
    await seedAction(service);
  });
  afterAll(() => service.close());

  it('rebuilds every read model while the service keeps answering, with a progress line', async () => {
    const before = await service.request('GET', '/assurance', { as: CHAIR });
    const run = cli(['projections', 'rebuild'], { DATABASE_URL: service.database.url });
    const during = await service.request('GET', '/reviews', { as: CHAIR });
    const { code, stdout, stderr } = await run;
    expect(code).toBe(0);
    expect(during.status).toBe(200);
    expect(stdout).toMatch(/^partner-list: rebuilt from \d+ events/m);
    expect(stdout).toMatch(/^review-list: rebuilt/m);
    expect(stdout).toMatch(/^action-list: rebuilt/m);
    expect(stdout).toMatch(/^action-list-history: rebuilt/m);
    expect(stderr).toMatch(/6 read models \[#+\] 100% .* events\/s/);
    const after = await service.request('GET', '/assurance', { as: CHAIR });
    expect({ ...after.body, asOf: undefined }).toEqual({ ...before.body, asOf: undefined });
  });

  it('says what a rebuilt read model set aside, and keeps the day each was first seen', async () => {
    const { actionId } = await seedAction(service);
    const store = service.app.get<EventStore>(EVENT_STORE);
    const { version } = await store.readStream(`action-${actionId}`);
    const data = { dueDate: '-000838-02', previousDueDate: '2027-01-01', reason: 'an older version' };
    await store.appendToStream(`action-${actionId}`, [{ eventId: randomUUID(), type: 'ActionDueDateRevised', data, metadata: {} }], {
      expectedVersion: version,
    });
    const head = await service.headPosition();
    const before = await service.request('GET', `/quarantine?position=${head}`, { as: AUDITOR });
    const seen = before.body.items.find((item: { reader: string }) => item.reader === 'action-list');
    expect(seen).toMatchObject({ position: String(head), type: 'ActionDueDateRevised' });

    const rebuilt = await cli(['projections', 'rebuild', 'action-list'], { DATABASE_URL: service.database.url });
    expect(rebuilt.stdout).toMatch(/^ {2}set aside 1 event it cannot fold: see GET \/quarantine$/m);
    const after = await service.request('GET', '/quarantine', { as: AUDITOR });
    expect(after.body.items.filter((item: { reader: string }) => item.reader === 'action-list')).toEqual([seen]);
  });

  it('rebuilds one read model by name, and refuses a name it does not know', async () => {
    const one = await cli(['projections', 'rebuild', 'action-list'], { DATABASE_URL: service.database.url });
    expect(one.code).toBe(0);
    expect(one.stdout.trim().split('\n')[0]).toMatch(/^action-list: rebuilt from \d+ events/);
    const unknown = await cli(['projections', 'rebuild', 'nonsense'], { DATABASE_URL: service.database.url });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No projection is named 'nonsense'.*action-list/);
  });
});
