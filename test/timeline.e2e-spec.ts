import { CHAIR, SUBGROUP, TestClock, TestService, seedAction, startService, testClock, webSessionCookie } from './support/app';

describe('one timeline: days in England', () => {
  let service: TestService;
  let clock: TestClock;
  let actionId: string;

  beforeAll(async () => {
    clock = testClock('2026-03-31T10:00:00Z');
    service = await startService({ clock });
    ({ actionId } = await seedAction(service, ['police']));
    const assigned = await service.request('POST', `/actions/${actionId}/assign`, {
      as: SUBGROUP,
      body: { partnerId: 'police', dueDate: '2026-03-31' },
    });
    expect(assigned.status).toBe(200);
  }, 60_000);
  afterAll(() => service.close());

  it('turns today, and overdue, at midnight in England: an hour before midnight UTC in summer', async () => {
    clock.set('2026-03-31T22:30:00Z');
    expect((await service.request('GET', `/actions/${actionId}`, { as: SUBGROUP })).body.overdue).toBe(false);
    expect((await service.request('GET', '/assurance', { as: CHAIR })).body).toMatchObject({ today: '2026-03-31', totals: { overdue: 0 } });
    clock.set('2026-03-31T23:30:00Z');
    expect((await service.request('GET', `/actions/${actionId}`, { as: SUBGROUP })).body.overdue).toBe(true);
    expect((await service.request('GET', '/assurance', { as: CHAIR })).body).toMatchObject({ today: '2026-04-01', totals: { overdue: 1 } });
    // At half past midnight in London, the day before is past: a due date may not be set to it.
    const later = { dueDate: '2026-04-30', reason: 'More time agreed' };
    expect((await service.request('POST', `/actions/${actionId}/due-date`, { as: SUBGROUP, body: later })).status).toBe(200);
    const back = { dueDate: '2026-03-31', reason: 'x' };
    const refused = await service.request('POST', `/actions/${actionId}/due-date`, { as: SUBGROUP, body: back });
    expect(refused.body).toMatchObject({ status: 400, code: 'due-date-in-past' });
  });

  it('shows a past day "as at" its end in England, and times as GOV.UK writes them', async () => {
    clock.set('2026-04-02T09:00:00Z');
    const cookie = await webSessionCookie(service, 'demo-chair');
    const page = await (await fetch(`${service.url}/dashboard?asAt=2026-03-31`, { headers: { cookie } })).text();
    expect(page).toContain('31 March 2026, 11:59pm');
    expect(page).not.toMatch(/\b0:\d\d[ap]m/);
  });
});
