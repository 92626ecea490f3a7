import {
  ADMIN,
  CHAIR,
  SUBGROUP,
  TestClock,
  TestService,
  seedAction,
  signToken,
  startService,
  testClock,
  webSessionCookie,
} from './support/app';

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

describe('one timeline: an imported plan carries its dates', () => {
  let service: TestService;
  const HEADER =
    'review reference,review title,review kind,commissioned on,published on,recommendation,action,partner,raised on,due date,status,closed on,outcome';
  const send = async (lines: string[], query = '') => {
    const response = await fetch(`${service.url}/imports${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken(SUBGROUP)}`, 'content-type': 'text/csv' },
      body: lines.join('\n'),
    });
    return { status: response.status, body: await response.json() };
  };

  beforeAll(async () => {
    service = await startService({ clock: testClock('2026-12-07T10:00:00Z') });
    await service.request('POST', '/partners', { as: ADMIN, body: { id: 'police', name: 'Thames Valley Police' } });
  }, 60_000);
  afterAll(() => service.close());

  it('records a review on the day it was commissioned, or the earliest its rows give, never on the day of the import', async () => {
    const imported = await send([
      HEADER,
      'CSPR-2024-07,Child D,CSPR,04/11/2024,20/01/2025,See the child,Brief officers,police,03/02/2025,30/06/2025,closed,12/06/2025,Completed',
      'RR-2025-02,Baby E,Rapid review,,,Assess both parents,Train midwives,police,01/05/2025,31/12/2025,open,,',
    ]);
    expect(imported.status).toBe(201);
    const { body: reviews } = await service.request('GET', `/reviews?position=${imported.body.position}`, { as: CHAIR });
    const byReference = Object.fromEntries(reviews.map((review: { reference: string }) => [review.reference, review]));
    expect(byReference['CSPR-2024-07']).toMatchObject({ commissionedOn: '2024-11-04', publishedOn: '2025-01-20' });
    expect(byReference['RR-2025-02']).toMatchObject({ commissionedOn: null, publishedOn: null });

    // The action shows the day it was raised, not the day it was imported, on its page and in the files.
    const { body: listed } = await service.request('GET', '/actions?q=officers', { as: CHAIR });
    expect(listed.items[0]).toMatchObject({ description: 'Brief officers', raisedOn: '2025-02-03' });
    const cookie = await webSessionCookie(service, 'demo-chair');
    const page = await (await fetch(`${service.url}/tracker/${listed.items[0].id}`, { headers: { cookie } })).text();
    expect(page).toMatch(/Raised\s*<\/dt>\s*<dd[^>]*>\s*3 February 2025/);
    const csv = await (
      await fetch(`${service.url}/actions?format=csv&q=officers`, { headers: { authorization: `Bearer ${await signToken(CHAIR)}` } })
    ).text();
    const [header, row] = csv
      .trim()
      .split('\r\n')
      .map((line) => line.split(','));
    expect(row[header.indexOf('Raised on')]).toBe('2025-02-03');

    const year = (from: string) => service.request('GET', `/reports/yearly?from=${from}-04-01&to=${Number(from) + 1}-03-31`, { as: CHAIR });
    expect((await year('2024')).body.reviews).toMatchObject({ commissioned: 1, published: 1 });
    expect((await year('2025')).body.reviews).toMatchObject({ commissioned: 1, published: 0 });
    expect((await year('2026')).body.reviews).toMatchObject({ commissioned: 0, published: 0 });
  });

  it('refuses a column it does not read, naming it, rather than pass over what it holds', async () => {
    const checked = await send(
      [`${HEADER},date of the meeting`, 'R-9,T,CSPR,,,Rec,Act,police,,31/03/2027,open,,,01/01/2026'],
      '?dryRun=true',
    );
    expect(checked.body).toMatchObject({
      valid: false,
      errors: [{ row: 1, field: 'date of the meeting', message: expect.stringContaining('is not one this import reads') }],
    });
  });
});
