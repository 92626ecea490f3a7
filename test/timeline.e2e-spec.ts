import { addDays, dayInEngland } from '@app/domain';
import { ActionTallies } from '../apps/api/src/reads/action-tallies';
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

describe('one timeline: as at a day, what had happened by then', () => {
  let service: TestService;
  let clock: TestClock;
  let briefing: string;
  const HEADER =
    'review reference,review title,review kind,commissioned on,recommendation,action,partner,raised on,due date,status,closed on,outcome';

  beforeAll(async () => {
    // At the real time, as the events' recorded times are: the window of what changed ends now.
    clock = testClock(new Date().toISOString());
    service = await startService({ clock });
    await service.request('POST', '/partners', { as: ADMIN, body: { id: 'police', name: 'Thames Valley Police' } });
    const response = await fetch(`${service.url}/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken(SUBGROUP)}`, 'content-type': 'text/csv' },
      body: [
        HEADER,
        'CSPR-2024-07,Child D,CSPR,04/11/2024,See the child,Brief officers,police,03/02/2025,30/06/2025,closed,12/06/2025,Completed',
        'RR-2025-02,Baby E,Rapid review,,Assess both parents,Train midwives,police,01/05/2025,31/12/2025,open,,',
      ].join('\n'),
    });
    expect(response.status).toBe(201);
    const { position } = (await response.json()) as { position: string };
    // Raised today, in the service: it had not happened on any past day.
    await seedAction(service, ['police']);
    const { body } = await service.request('GET', `/actions?q=officers&position=${position}`, { as: CHAIR });
    briefing = body.items[0].id;
  }, 60_000);
  afterAll(() => service.close());

  const assuranceOn = async (day: string) => (await service.request('GET', `/assurance?asAt=${day}`, { as: CHAIR })).body;

  it('counts imported history on the days it happened, overdue judged against the day asked for', async () => {
    expect(await assuranceOn('2025-01-31')).toMatchObject({ asAt: '2025-01-31', today: '2025-01-31', totals: { total: 0 } });
    expect(await assuranceOn('2025-03-31')).toMatchObject({ totals: { total: 1, outstanding: 1, overdue: 0, closed: 0 } });
    expect(await assuranceOn('2025-06-30')).toMatchObject({ totals: { total: 2, outstanding: 1, overdue: 0, closed: 1 } });
    const january = await assuranceOn('2026-01-31');
    expect(january).toMatchObject({ totals: { total: 2, outstanding: 1, overdue: 1, closed: 1 } });
    expect(january.partners).toEqual([expect.objectContaining({ partnerId: 'police', outstanding: 1, overdue: 1 })]);
    // As recorded, none of it had been by then: the import was today.
    const recorded = await service.request('GET', '/assurance?asOf=2026-01-31T23:59:59Z', { as: CHAIR });
    expect(recorded.body.totals.total).toBe(0);
    expect((await service.request('GET', '/assurance', { as: CHAIR })).body.totals).toMatchObject({ total: 3, outstanding: 2 });
  });

  it('lists, shows and finds the actions and reviews as they stood on the day', async () => {
    const march = await service.request('GET', '/actions?asAt=2025-03-31', { as: CHAIR });
    expect(march.body).toMatchObject({ total: 1, items: [{ id: briefing, status: 'assigned', raisedOn: '2025-02-03' }] });
    expect((await service.request('GET', '/actions?asAt=2025-03-31&q=midwives', { as: CHAIR })).body.total).toBe(0);
    expect((await service.request('GET', `/actions/${briefing}?asAt=2025-06-30`, { as: CHAIR })).body).toMatchObject({ status: 'closed' });
    expect((await service.request('GET', `/actions/${briefing}?asAt=2025-01-31`, { as: CHAIR })).status).toBe(404);
    const reviews = await service.request('GET', '/reviews?asAt=2024-12-31', { as: CHAIR });
    expect(reviews.body.map((review: { reference: string }) => review.reference)).toEqual(['CSPR-2024-07']);
  });

  it('gives the dashboard, its chart, the trends and the yearly report the same figures for the same day', async () => {
    const trends = (await service.request('GET', '/reports/trends?until=2026-03-31', { as: CHAIR })).body;
    for (const month of trends.months as { day: string; outstanding: number; overdue: number }[]) {
      const { totals } = await assuranceOn(month.day);
      expect([month.day, month.outstanding, month.overdue]).toEqual([month.day, totals.outstanding, totals.overdue]);
    }
    const year = (await service.request('GET', '/reports/yearly?from=2025-04-01&to=2026-03-31', { as: CHAIR })).body;
    const { totals } = await assuranceOn('2026-03-31');
    expect([year.actions.outstandingAtEnd, year.actions.overdueAtEnd]).toEqual([totals.outstanding, totals.overdue]);

    const cookie = await webSessionCookie(service, 'demo-chair');
    const page = await (await fetch(`${service.url}/dashboard?asAt=2026-01-31`, { headers: { cookie } })).text();
    expect(page).toContain('what had happened by the end of 31 January 2026');
    expect(page).toMatch(/data-count="overdue"><a[^>]*href="\/tracker\?overdue=true&amp;asAt=2026-01-31"[^>]*>1</);
    const listed = await (await fetch(`${service.url}/tracker?overdue=true&asAt=2026-01-31`, { headers: { cookie } })).text();
    expect(listed).toContain('Train midwives');
    // Before anything was raised, the agency has nothing outstanding: not "Green", which says it keeps to its dates.
    const before = await (await fetch(`${service.url}/dashboard?asAt=2025-01-31`, { headers: { cookie } })).text();
    expect(before).toMatch(/data-partner="police"[\s\S]*?None outstanding/);
  });

  it('tells what happened in a window apart from history recorded in it, and what became overdue by what had happened', async () => {
    clock.set(new Date().toISOString());
    const recent = (await service.request('GET', '/changes', { as: CHAIR })).body;
    expect(recent.items.every((item: { occurredOn?: string }) => item.occurredOn === undefined)).toBe(true);
    expect(recent.items.map((item: { type: string }) => item.type)).toContain('ActionRaised');
    expect(recent.importedHistory).toEqual([
      expect.objectContaining({
        from: '2024-11-04',
        to: '2025-06-12',
        summary: expect.stringMatching(/^7 months of history imported: \d+ changes that happened from 4 November 2024 to 12 June 2025$/),
      }),
    ]);
    expect(recent.becameOverdue).toEqual([]);
    // Recorded long after, it happened in this window: the midwives' training was due on 31 December 2025.
    const winter = (await service.request('GET', '/changes?from=2025-12-01T00:00:00Z&to=2026-01-31T00:00:00Z', { as: CHAIR })).body;
    expect(winter).toMatchObject({ items: [], importedHistory: [] });
    expect(winter.becameOverdue).toHaveLength(1);
    expect(winter.actions[winter.becameOverdue[0]]).toMatchObject({ description: 'Train midwives' });
    // The Brief officers action was closed before its due date passed.
    const summer = (await service.request('GET', '/changes?from=2025-06-01T00:00:00Z&to=2025-07-31T00:00:00Z', { as: CHAIR })).body;
    expect(summer.becameOverdue).toEqual([]);
  });

  it('counts the same from the day tallies, and passes over those that history imported since has broken', async () => {
    const days = Array.from({ length: 50 }, (_, n) => addDays('2024-11-01', n * 10));
    const totalsOf = async () => Promise.all(days.map(async (day) => [day, (await assuranceOn(day)).totals]));
    const fromHistory = await totalsOf();
    const tallies = service.app.get(ActionTallies);
    tallies.keep();
    await tallies.settled();
    const kept = await service.database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM action_day_tallies');
    expect(kept.rows[0].n).toBeGreaterThan(50);
    expect(await totalsOf()).toEqual(fromHistory);

    // Older history, imported now: every tally from its first day on is broken until the keeper drops it.
    const response = await fetch(`${service.url}/imports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await signToken(SUBGROUP)}`, 'content-type': 'text/csv' },
      body: [HEADER, 'CSPR-2024-01,Child A,CSPR,01/12/2024,Share the plan,Write the protocol,police,01/12/2024,31/01/2025,open,,'].join(
        '\n',
      ),
    });
    expect(response.status).toBe(201);
    await service.request('GET', `/assurance?position=${((await response.json()) as { position: string }).position}`, { as: CHAIR });
    const withImport = fromHistory.map(([day, totals]) => {
      const counts = totals as { outstanding: number; overdue: number; total: number };
      if (day < '2024-12-01') return [day, counts];
      return [
        day,
        { ...counts, total: counts.total + 1, outstanding: counts.outstanding + 1, overdue: counts.overdue + (day > '2025-01-31' ? 1 : 0) },
      ];
    });
    expect(await totalsOf()).toEqual(withImport.map(([day, totals]) => [day, expect.objectContaining(totals as object)]));
    tallies.keep();
    await tallies.settled();
    expect(await totalsOf()).toEqual(withImport.map(([day, totals]) => [day, expect.objectContaining(totals as object)]));
  });

  it('refuses a day in the future, or asOf and asAt together', async () => {
    const future = await service.request('GET', `/assurance?asAt=${addDays(dayInEngland(new Date()), 1)}`, { as: CHAIR });
    expect(future.body).toMatchObject({ status: 400, errors: [{ field: 'asAt' }] });
    const both = await service.request('GET', '/actions?asAt=2026-01-31&asOf=2026-01-31T00:00:00Z', { as: CHAIR });
    expect(both.body).toMatchObject({ status: 400, errors: [{ field: 'asAt', message: expect.stringContaining('not both') }] });
  });
});

describe('one timeline: the demonstration partnership, any day of its two years', () => {
  let service: TestService;
  let cookie: string;

  beforeAll(async () => {
    service = await startService({ env: { DEMO: 'on' } });
    cookie = await webSessionCookie(service, 'demo-chair');
    // Once the read models have all the demonstration recorded.
    expect((await service.request('GET', `/assurance?position=${await service.headPosition()}`, { as: CHAIR })).status).toBe(200);
  }, 60_000);
  afterAll(() => service.close());

  const totalsOn = async (day: string) => (await service.request('GET', `/assurance?asAt=${day}`, { as: CHAIR })).body.totals;

  it('gives the dashboard, its chart, the trends, the board pack and the yearly report one figure for each day', async () => {
    const today = dayInEngland(new Date());
    const monthEnds = [
      ...(await service.request('GET', `/reports/trends?until=${addDays(today, -365)}`, { as: CHAIR })).body.months,
      ...(await service.request('GET', '/reports/trends', { as: CHAIR })).body.months,
    ] as { day: string; outstanding: number; overdue: number }[];
    expect(monthEnds.some((month) => month.outstanding > 0 && month.day < addDays(today, -365))).toBe(true);
    for (const month of monthEnds) {
      const totals = await totalsOn(month.day);
      expect([month.day, totals.outstanding, totals.overdue]).toEqual([month.day, month.outstanding, month.overdue]);
    }
    for (const day of [monthEnds[3].day, monthEnds[15].day]) {
      const totals = await totalsOn(day);
      const dashboard = await (await fetch(`${service.url}/dashboard?asAt=${day}`, { headers: { cookie } })).text();
      const all = dashboard.match(/All partners<\/th>\s*<td[^>]*data-count="outstanding"><a[^>]*>(\d+)</);
      expect(Number(all?.[1])).toBe(totals.outstanding);
      const pack = await (await fetch(`${service.url}/board-pack?date=${day}&since=${addDays(day, -56)}`, { headers: { cookie } })).text();
      const row = pack.match(/data-partner="all">.*?<td[^>]*>(\d+)<\/td><td[^>]*>(\d+)<\/td>/s);
      expect([Number(row?.[1]), Number(row?.[2])]).toEqual([totals.outstanding, totals.overdue]);
    }
    for (const from of [addDays(today, -730), addDays(today, -365)]) {
      const year = (await service.request('GET', `/reports/yearly?from=${from}&to=${addDays(from, 364)}`, { as: CHAIR })).body;
      const totals = await totalsOn(year.asAt);
      expect([year.asAt, year.actions.outstandingAtEnd, year.actions.overdueAtEnd]).toEqual([
        year.asAt,
        totals.outstanding,
        totals.overdue,
      ]);
    }
  });
});
