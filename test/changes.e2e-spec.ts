import { ADMIN, AUDITOR, CHAIR, SUBGROUP, TestService, TestUser, partnerUser, startService, testClock } from './support/app';
import { startOfDayInEngland } from '@app/domain';

const POLICE = partnerUser('police');
const day = (instant: Date, plus = 0) => new Date(instant.getTime() + plus * 86_400_000).toISOString().slice(0, 10);

type Change = { position: string; type: string; actionId?: string; reviewId?: string; partnerId?: string; summary: string };

describe('what changed since the last meeting, over HTTP', () => {
  let service: TestService;
  const started = new Date();
  const today = day(started);
  // The service's clock starts at the real time, as the events' recorded times do; it moves on past midnight later.
  const clock = testClock(started.toISOString());
  let recommendationId: string;
  let reviewId: string;
  let meeting: string;
  const ids: Record<string, string> = {};

  const post = async (path: string, body: object, as: TestUser = SUBGROUP) => {
    const answer = await service.request('POST', path, { as, body });
    if (answer.status >= 300) throw new Error(`${path}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const raise = async (name: string, partnerId: string, dueDate: string) => {
    ids[name] = (await post('/actions', { recommendationId, description: `Action ${name}` })).id;
    await post(`/actions/${ids[name]}/assign`, { partnerId, dueDate });
  };
  /** The partnership's events in the audit log between two instants, as the auditor exports them. */
  const logged = async (from: string, to: string) => {
    const { body } = await service.request('GET', `/audit/events?${new URLSearchParams({ from, to, limit: '1000' })}`, { as: AUDITOR });
    return (body.items as { position: string; type: string; streamId: string }[]).filter((event) => !event.streamId.startsWith('partner'));
  };

  beforeAll(async () => {
    service = await startService({ clock });
    for (const id of ['police', 'health'])
      await post('/partners', { id, name: id === 'police' ? 'Thames Valley Police' : 'Health' }, ADMIN);
    reviewId = (await post('/reviews', { reference: 'CSPR 2026/07', title: 'Child T', kind: 'cspr', themes: ['Neglect'] })).id;
    recommendationId = (await post(`/reviews/${reviewId}/recommendations`, { text: 'Assess both parents' })).id;
    await raise('evidenced', 'police', today);
    await raise('reassigned', 'health', day(started, 30));
    await raise('closed', 'police', today);
    await raise('revised', 'police', today);
    await new Promise((resolve) => setTimeout(resolve, 20));
    meeting = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));

    const evidence = await post(`/actions/${ids.evidenced}/evidence`, { summary: 'Audit of 20 cases' }, POLICE);
    expect(evidence.id).toBeDefined();
    await post(`/actions/${ids.reassigned}/assign`, { partnerId: 'police', dueDate: day(started, 30), reason: 'Police lead now' });
    const request = await post(
      `/actions/${ids.reassigned}/extension-requests`,
      { dueDate: day(started, 60), reason: 'Audit late' },
      POLICE,
    );
    await post(`/actions/${ids.reassigned}/extension-requests/${request.id}/refuse`, { reason: 'Not agreed' });
    await post(`/actions/${ids.closed}/close`, { outcome: 'superseded', rationale: 'A new strategy replaces it' });
    await post(`/actions/${ids.revised}/due-date`, { dueDate: day(started, 10), reason: 'Agreed at the board' });
    ids.withdrawn = (await post('/actions', { recommendationId, description: 'Action withdrawn' })).id;
    await post(`/actions/${ids.withdrawn}/withdraw`, { reason: 'Duplicate' });
    // The day after the due dates, past midnight: what was outstanding and due yesterday is overdue now.
    clock.set(`${day(started, 1)}T01:00:00Z`);
  }, 60_000);
  afterAll(() => service.close());

  it('lists every change recorded since the meeting, in order, as the audit log has them, with who owned the action', async () => {
    const { status, body } = await service.request('GET', `/changes?from=${meeting}`, { as: CHAIR });
    expect(status).toBe(200);
    const items: Change[] = body.items;
    const log = await logged(meeting, body.to);
    expect(items.map((item) => [item.position, item.type])).toEqual(log.map((event) => [event.position, event.type]));
    const counts: Record<string, number> = {};
    for (const event of log) counts[event.type] = (counts[event.type] ?? 0) + 1;
    expect(body.counts).toEqual(counts);
    expect(body.counts).toMatchObject({ EvidenceSubmitted: 1, ActionReassigned: 1, ExtensionRequested: 1, ExtensionRefused: 1 });

    const reassignment = items.find((item) => item.type === 'ActionReassigned')!;
    expect(reassignment).toMatchObject({ actionId: ids.reassigned, reviewId, partnerId: 'police' });
    expect(reassignment.summary).toContain('Reassigned it from Health to Thames Valley Police');
    expect(items.find((item) => item.type === 'ActionWithdrawn')).toMatchObject({
      actionId: ids.withdrawn,
      summary: 'Withdrew the action: Duplicate',
    });
    expect(body.actions[ids.reassigned]).toMatchObject({ description: 'Action reassigned', partnerId: 'police' });
  });

  it('names the actions that became overdue in between: outstanding as their due date passed, not those closed or given more time', async () => {
    const { body } = await service.request('GET', `/changes?from=${meeting}`, { as: SUBGROUP });
    expect(body.becameOverdue).toEqual([ids.evidenced]);
    expect(body.actions[ids.evidenced]).toMatchObject({ dueDate: today, status: 'evidenced' });
    // Before midnight nothing had turned overdue yet.
    const before = await service.request('GET', `/changes?from=${meeting}&to=${day(started, 1)}T00:00:00Z`, { as: SUBGROUP });
    expect(before.body.becameOverdue).toEqual([ids.evidenced]);
    const justBefore = await service.request('GET', `/changes?from=${meeting}&to=${today}T23:59:59.999Z`, { as: SUBGROUP });
    expect(justBefore.body.becameOverdue).toEqual([]);
  });

  it('tells the meeting before apart from the one after, and starts eight weeks back by default', async () => {
    const earlier = await service.request('GET', `/changes?from=${started.toISOString()}&to=${meeting}`, { as: AUDITOR });
    expect(earlier.body.counts).toMatchObject({ ReviewRegistered: 1, RecommendationRecorded: 1, ActionRaised: 4, ActionAssigned: 4 });
    expect(earlier.body.counts.EvidenceSubmitted).toBeUndefined();
    const byDefault = await service.request('GET', '/changes', { as: ADMIN });
    // The start of the same day eight weeks ago in England: in summer time, 11pm UTC the day before.
    expect(byDefault.body.from).toBe(startOfDayInEngland(day(new Date(`${day(started, 1)}T00:00:00Z`), -56)).toISOString());
    expect(byDefault.body.to).toBe(`${day(started, 1)}T01:00:00.000Z`);
    expect(byDefault.body.items.length).toBe(earlier.body.items.length + (await logged(meeting, byDefault.body.to)).length);
  });

  it('refuses a window that ends in the future or before it starts, and partner leads', async () => {
    expect(await service.request('GET', '/changes?to=2999-01-01T00:00:00Z', { as: CHAIR })).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'to', message: 'must not be in the future' }] },
    });
    expect(await service.request('GET', `/changes?from=${meeting}&to=${started.toISOString()}`, { as: CHAIR })).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'from', message: 'must be before to' }] },
    });
    expect((await service.request('GET', '/changes', { as: POLICE })).status).toBe(403);
  });
});
