import { parse } from 'csv-parse/sync';
import { ADMIN, AUDITOR, CHAIR, SUBGROUP, TestService, TestUser, partnerUser, signToken, startService, testClock } from './support/app';

const POLICE = partnerUser('police');
const HEALTH = partnerUser('health');
const SECOND: TestUser = { roles: ['subgroup'], sub: 'member-2', name: 'Second member' };
const day = (instant: Date, plus = 0) => new Date(instant.getTime() + plus * 86_400_000).toISOString().slice(0, 10);

type LoggedEvent = { position: string; streamId: string; type: string; data: Record<string, unknown>; recordedAt: string };

/** The test's own reading of the log: each action as the events leave it. */
function foldActions(events: LoggedEvent[]) {
  const actions = new Map<
    string,
    {
      raisedOn: string;
      closedOn?: string;
      status: string;
      partnerId?: string;
      dueDate?: string;
      originalDueDate?: string;
      outcome?: string;
    }
  >();
  for (const event of events.filter((item) => item.streamId.startsWith('action-'))) {
    const on = event.recordedAt.slice(0, 10);
    const data = event.data as { partnerId?: string; dueDate?: string; outcome?: string; result?: string };
    const action = actions.get(event.streamId) ?? { raisedOn: on, status: 'raised' };
    if (event.type === 'ActionAssigned')
      Object.assign(action, { status: 'assigned', partnerId: data.partnerId, dueDate: data.dueDate, originalDueDate: data.dueDate });
    if (event.type === 'ActionReassigned') Object.assign(action, { partnerId: data.partnerId, dueDate: data.dueDate });
    if (event.type === 'ExtensionApproved' || event.type === 'ActionDueDateRevised') action.dueDate = data.dueDate;
    if (event.type === 'EvidenceSubmitted') action.status = 'evidenced';
    if (event.type === 'ActionClosed') Object.assign(action, { status: 'closed', closedOn: on, outcome: data.outcome });
    if (event.type === 'ImpactRecorded' && data.result === 'evidenced') action.outcome = 'impact-evidenced';
    if (event.type === 'ActionWithdrawn') action.status = 'withdrawn';
    actions.set(event.streamId, action);
  }
  return [...actions.values()];
}

describe('the yearly report, over HTTP', () => {
  let service: TestService;
  const started = new Date();
  const today = day(started);
  const clock = testClock(started.toISOString());
  // The financial year today is in: 1 April to 31 March.
  const fyStart = Number(today.slice(5) >= '04-01' ? today.slice(0, 4) : Number(today.slice(0, 4)) - 1);
  const thisYear = { from: `${fyStart}-04-01`, to: `${fyStart + 1}-03-31` };
  const lastYear = { from: `${fyStart - 1}-04-01`, to: `${fyStart}-03-31` };

  const post = async (path: string, body: object, as: TestUser = SUBGROUP) => {
    const answer = await service.request('POST', path, { as, body });
    if (answer.status >= 300) throw new Error(`${path}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  beforeAll(async () => {
    service = await startService({ clock });
    for (const id of ['police', 'health'])
      await post('/partners', { id, name: id === 'police' ? 'Thames Valley Police' : 'Health' }, ADMIN);
    const earlier = await post('/reviews', {
      reference: 'CSPR 2025/01',
      title: 'Child V',
      kind: 'cspr',
      themes: ['Neglect', 'Exploitation'],
      commissionedOn: `${fyStart - 1}-06-01`,
      publishedOn: `${fyStart - 1}-12-01`,
    });
    const current = await post('/reviews', {
      reference: 'RR 2026/04',
      title: 'Child W',
      kind: 'rapid-review',
      themes: ['neglect '],
      commissionedOn: thisYear.from,
    });
    await post('/reviews', { reference: 'LLR 2026/09', title: 'Child X', kind: 'local-learning-review', themes: ['Information sharing'] });
    const fromEarlier = (await post(`/reviews/${earlier.id}/recommendations`, { text: 'Assess fathers', themes: ['Pre-birth'] })).id;
    const fromCurrent = (await post(`/reviews/${current.id}/recommendations`, { text: 'See the child' })).id;

    const action = async (recommendationId: string, partnerId: string, dueIn: number) => {
      const { id } = await post('/actions', { recommendationId, description: 'An action' });
      await post(`/actions/${id}/assign`, { partnerId, dueDate: day(started, dueIn) });
      return id as string;
    };
    // Closed with impact evidenced, and closed as completed then checked: both impact-evidenced.
    for (const outcome of ['impact-evidenced', 'completed']) {
      const id = await action(fromEarlier, 'police', 30);
      const evidence = await post(`/actions/${id}/evidence`, { summary: 'Audit' }, POLICE);
      await post(`/actions/${id}/evidence/${evidence.id}/accept`, {});
      await post(`/actions/${id}/close`, { outcome, rationale: 'Done' });
      if (outcome === 'completed') await post(`/actions/${id}/impact`, { result: 'evidenced', note: 'Re-audit' }, SECOND);
    }
    // Given more time (approved), refused more time, and one left due soon: overdue once the clock moves on.
    const extended = await action(fromCurrent, 'police', 10);
    const request = await post(`/actions/${extended}/extension-requests`, { dueDate: day(started, 70), reason: 'Late' }, POLICE);
    await post(`/actions/${extended}/extension-requests/${request.id}/approve`, {});
    const refused = await action(fromCurrent, 'health', 10);
    const refusal = await post(`/actions/${refused}/extension-requests`, { dueDate: day(started, 90), reason: 'Late' }, HEALTH);
    await post(`/actions/${refused}/extension-requests/${refusal.id}/refuse`, { reason: 'No' });
    await action(fromCurrent, 'health', 50);
    const withdrawn = await action(fromCurrent, 'police', 20);
    await post(`/actions/${withdrawn}/withdraw`, { reason: 'Duplicate' });
    await post('/actions', { recommendationId: fromCurrent, description: 'Not yet assigned' });
    // Forty days on: the actions due in ten days are past due, unless given more time.
    clock.set(new Date(started.getTime() + 40 * 86_400_000).toISOString());
  }, 60_000);
  afterAll(() => service.close());

  it('counts the period from the events as the test folds them from the exported log', async () => {
    const asAt = day(clock());
    const query = asAt <= thisYear.to ? '' : `?from=${thisYear.from}&to=${thisYear.to}`;
    const { status, body } = await service.request('GET', `/reports/yearly${query}`, { as: CHAIR });
    expect(status).toBe(200);
    expect(body).toMatchObject({ from: thisYear.from, to: thisYear.to });
    const log: LoggedEvent[] = (await service.request('GET', '/audit/events?limit=1000', { as: AUDITOR })).body.items;
    const actions = foldActions(log);
    const end = body.asAt;
    const inPeriod = (on?: string) => on !== undefined && on >= thisYear.from && on <= end;
    const figures = (of: typeof actions) => ({
      raised: of.filter((action) => inPeriod(action.raisedOn)).length,
      closed: of.filter((action) => inPeriod(action.closedOn)).length,
      closedWithImpact: of.filter((action) => inPeriod(action.closedOn) && action.outcome === 'impact-evidenced').length,
      outstandingAtEnd: of.filter((action) => !['closed', 'withdrawn'].includes(action.status)).length,
      overdueAtEnd: of.filter((action) => !['closed', 'withdrawn'].includes(action.status) && action.dueDate! < end).length,
    });
    expect(body.actions).toMatchObject({ ...figures(actions), medianDaysToClose: 0 });
    expect(body.actions).toMatchObject({ raised: 7, closed: 2, closedWithImpact: 2, outstandingAtEnd: 4 });
    for (const partnerId of ['police', 'health']) {
      expect(body.actions.byPartner.find((row: { partnerId: string }) => row.partnerId === partnerId)).toMatchObject(
        figures(actions.filter((action) => action.partnerId === partnerId)),
      );
    }
    expect(body.actions.byPartner.at(-1)).toMatchObject({ partnerId: null, outstandingAtEnd: 1 });
    const police = body.actions.byPartner.find((row: { partnerId: string }) => row.partnerId === 'police');
    expect(police.daysSlipped).toBe(60);
    expect(body.extensions).toEqual({ requested: 2, approved: 1, refused: 1, daysSlipped: 60 });

    expect(body.reviews).toMatchObject({ commissioned: 2, published: 0 });
    expect(body.reviews.byKind['rapid-review']).toEqual({ commissioned: 1, published: 0 });
    expect(body.reviews.byKind['local-learning-review']).toEqual({ commissioned: 1, published: 0 });
    expect(body.recommendations).toEqual({ total: 2, byTheme: { 'Pre-birth': 1, Neglect: 1 } });
    // Neglect came back: this year's rapid review had it, as last year's CSPR did.
    expect(body.repeatThemes).toEqual([{ theme: 'Neglect', reviews: ['CSPR 2025/01', 'RR 2026/04'], earlier: ['CSPR 2025/01'] }]);

    // The same figures as a file, each on a row of its own.
    const file = await fetch(`${service.url}/reports/yearly${query}${query ? '&' : '?'}format=csv`, {
      headers: { authorization: `Bearer ${await signToken(CHAIR)}` },
    });
    const rows = parse(await file.text(), { bom: true }) as string[][];
    expect(rows[0]).toEqual(['Section', 'About', 'Measure', 'Value']);
    expect(rows).toContainEqual(['Actions', 'All partner agencies', 'Raised', '7']);
    expect(rows).toContainEqual(['Actions', 'Thames Valley Police', 'Days slipped', '60']);
    expect(rows).toContainEqual(['Repeat themes', 'Neglect', 'Reviews: CSPR 2025/01, RR 2026/04', '2']);
  });

  it('gives the trends from the events: each agency month by month, and closings by quarter', async () => {
    const { status, body } = await service.request('GET', '/reports/trends', { as: CHAIR });
    expect(status).toBe(200);
    expect(body.months).toHaveLength(12);
    const last = body.months.at(-1);
    expect(last.day).toBe(day(clock()));
    const log: LoggedEvent[] = (await service.request('GET', '/audit/events?limit=1000', { as: AUDITOR })).body.items;
    const outstanding = foldActions(log).filter((action) => !['closed', 'withdrawn'].includes(action.status));
    expect(last.outstanding).toBe(outstanding.length);
    expect(last.overdue).toBe(outstanding.filter((action) => action.dueDate! < last.day).length);
    for (const partnerId of ['police', 'health'])
      expect(last.partners.find((row: { partnerId: string }) => row.partnerId === partnerId).outstanding).toBe(
        outstanding.filter((action) => action.partnerId === partnerId).length,
      );
    // Before anything was recorded, nothing was outstanding.
    expect(body.months[0]).toMatchObject({ outstanding: 0, overdue: 0, partners: [] });
    const quarter = body.quarters.find((item: { from: string; to: string }) => item.from <= today && today <= item.to);
    expect(quarter).toMatchObject({ closed: 2, byPartner: { police: 2 } });
    expect((await service.request('GET', '/reports/trends?until=2999-01-01', { as: CHAIR })).status).toBe(400);
  });

  it('reports an earlier year the same whenever it is asked: what was commissioned and published then, and no action yet', async () => {
    const first = await service.request('GET', `/reports/yearly?from=${lastYear.from}&to=${lastYear.to}`, { as: SUBGROUP });
    expect(first.body.reviews).toMatchObject({ commissioned: 1, published: 1, byKind: { cspr: { commissioned: 1, published: 1 } } });
    expect(first.body.actions).toMatchObject({ raised: 0, closed: 0, outstandingAtEnd: 0, medianDaysToClose: null, byPartner: [] });
    expect(first.body.repeatThemes).toEqual([]);
    await post('/reviews', { reference: 'CSPR 2026/11', title: 'Child Y', kind: 'cspr', themes: ['Exploitation'] });
    const again = await service.request('GET', `/reports/yearly?from=${lastYear.from}&to=${lastYear.to}`, { as: SUBGROUP });
    expect(again.body).toEqual(first.body);
  });

  it('refuses a period that ends before it starts, and partner leads', async () => {
    expect(await service.request('GET', '/reports/yearly?from=2026-04-01&to=2025-03-31', { as: CHAIR })).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'from' }] },
    });
    expect((await service.request('GET', '/reports/yearly?from=2026-02-30', { as: CHAIR })).status).toBe(400);
    expect((await service.request('GET', '/reports/yearly', { as: POLICE })).status).toBe(403);
  });
});
