import { randomUUID } from 'node:crypto';
import { Action, ActionEvent, ActionState, evolveAction, isOutstanding, noAction } from '@app/domain';
import { ADMIN, AUDITOR, SUBGROUP, TestService, partnerUser, signToken, startService } from './support/app';
import { pause, seededRandom } from './support/projection-checks';

const PARTNERS = ['county-council', 'icb', 'police', 'schools'];
const OPERATIONS = 260;
const INSTANTS = 240;

type LoggedEvent = { position: string; streamId: string; type: string; data: object; recordedAt: string };
type AsOfAnswer = { status: number; body: any };

/** What the actions were at `instant`, folded from the log by the test itself, in the order they were raised. */
function foldUpTo(log: LoggedEvent[], instant: string) {
  const actions = new Map<string, { state: ActionState; version: number }>();
  for (const event of log) {
    if (new Date(event.recordedAt) > new Date(instant)) break;
    if (!event.streamId.startsWith('action-')) continue;
    const current = actions.get(event.streamId) ?? { state: noAction, version: 0 };
    actions.set(event.streamId, {
      state: evolveAction(current.state, { type: event.type, data: event.data } as ActionEvent),
      version: current.version + 1,
    });
  }
  return [...actions.values()].filter((entry) => entry.state.exists) as { state: Action; version: number }[];
}

const essentials =
  (today: string) =>
  ({ state, version }: { state: Action; version: number }) => ({
    id: state.actionId,
    status: state.status,
    partnerId: state.partnerId ?? null,
    dueDate: state.dueDate ?? null,
    overdue: isOutstanding(state.status) && state.dueDate !== undefined && state.dueDate < today,
    evidence: state.evidence.map((evidence) => ({ id: evidence.id, status: evidence.status })),
    version,
  });

const shown = (view: any) => ({
  id: view.id,
  status: view.status,
  partnerId: view.partnerId,
  dueDate: view.dueDate,
  overdue: view.overdue,
  evidence: view.evidence.map((evidence: any) => ({ id: evidence.id, status: evidence.status })),
  version: view.version,
});

describe('reads as of a past instant', () => {
  let service: TestService;
  const captured: { instant: string; assurance: object }[] = [];
  let log: LoggedEvent[];
  let handedOver: { actionId: string; instant: string };

  const get = (path: string, as = SUBGROUP): Promise<AsOfAnswer> => service.request('GET', path, { as });
  const attempt = async (path: string, body: object) => {
    const answer = await service.request('POST', path, { as: SUBGROUP, body });
    // Refusals of moves the lifecycle does not allow are part of the run: they record nothing.
    if (answer.status >= 500) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer;
  };

  beforeAll(async () => {
    service = await startService({ env: { ACTION_TALLY_EVERY: '7' } });
    for (const id of PARTNERS) await service.request('POST', '/partners', { as: ADMIN, body: { id, name: `The ${id}` } });
    const recommendations: string[] = [];
    for (const [index, themes] of [['neglect'], ['exploitation', 'neurodiversity'], ['pre-birth assessment']].entries()) {
      const review = await attempt('/reviews', { reference: `CSPR-${index}`, title: `Child ${index}`, kind: 'cspr', themes });
      for (let r = 0; r < 2; r++)
        recommendations.push((await attempt(`/reviews/${review.body.id}/recommendations`, { text: `Learn ${r}`, themes })).body.id);
    }

    const handed = (await attempt('/actions', { recommendationId: recommendations[0], description: 'Handed over' })).body.id;
    await attempt(`/actions/${handed}/assign`, { partnerId: 'police', dueDate: '2027-01-31' });
    await pause(3);
    handedOver = { actionId: handed, instant: new Date().toISOString() };
    await pause(3);
    await attempt(`/actions/${handed}/assign`, { partnerId: 'icb', dueDate: '2027-01-31', reason: 'Health leads on this now' });

    const next = seededRandom(7);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
    const actions: { id: string; evidence: string[] }[] = [];
    const dueDate = () => `2026-${pick(['09', '10', '11', '12'])}-${String(1 + Math.floor(next() * 28)).padStart(2, '0')}`;
    for (let i = 0; i < OPERATIONS; i++) {
      const action = actions.length > 0 && next() < 0.8 ? pick(actions) : undefined;
      if (!action) {
        const { body } = await attempt('/actions', { recommendationId: pick(recommendations), description: `Action ${i}` });
        actions.push({ id: body.id, evidence: [] });
      } else {
        const evidenceId = action.evidence.at(-1);
        const move = pick([
          'assign',
          'assign',
          'due',
          'evidence',
          'evidence',
          'accept',
          'reject',
          'close',
          'reopen',
          'withdraw',
          'progress',
        ]);
        const path = `/actions/${action.id}`;
        if (move === 'assign') await attempt(`${path}/assign`, { partnerId: pick(PARTNERS), dueDate: dueDate(), lead: 'Head of Service' });
        if (move === 'due') await attempt(`${path}/due-date`, { dueDate: dueDate(), reason: 'Agreed at the subgroup' });
        if (move === 'progress') await attempt(`${path}/progress`, { note: 'Training booked' });
        if (move === 'evidence') {
          const id = randomUUID();
          if ((await attempt(`${path}/evidence`, { id, summary: 'Audit of cases' })).status < 300) action.evidence.push(id);
        }
        if (move === 'accept' && evidenceId) await attempt(`${path}/evidence/${evidenceId}/accept`, {});
        if (move === 'reject' && evidenceId) await attempt(`${path}/evidence/${evidenceId}/reject`, { reason: 'Activity, not impact' });
        if (move === 'close') await attempt(`${path}/close`, { outcome: 'impact-evidenced', rationale: 'Audit shows the change' });
        if (move === 'reopen') await attempt(`${path}/reopen`, { reason: 'The change did not hold' });
        if (move === 'withdraw') await attempt(`${path}/withdraw`, { reason: 'Superseded' });
      }
      if (i % 20 === 19) {
        const assurance = await get('/assurance');
        captured.push({ instant: assurance.body.asOf, assurance: assurance.body });
        // Recorded times have millisecond resolution: the next write must not share the captured millisecond.
        await pause(3);
      }
    }
    const response = await fetch(`${service.url}/audit/events`, {
      headers: { authorization: `Bearer ${await signToken(AUDITOR)}`, accept: 'application/x-ndjson' },
    });
    log = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
  }, 180_000);
  afterAll(() => service.close());

  it('answers GET /assurance?asOf=T with exactly what GET /assurance answered at T, after many later changes', async () => {
    expect(captured.length).toBeGreaterThanOrEqual(10);
    for (const { instant, assurance } of captured) {
      const later = await get(`/assurance?asOf=${encodeURIComponent(instant)}`);
      expect(later.status).toBe(200);
      expect(later.body).toEqual(assurance);
      // Asked again, and a millisecond later (nothing was recorded in it): the same picture, each saying which instant it describes.
      expect((await get(`/assurance?asOf=${encodeURIComponent(instant)}`)).body).toEqual(assurance);
      const nextMillisecond = new Date(new Date(instant).getTime() + 1).toISOString();
      expect((await get(`/assurance?asOf=${encodeURIComponent(nextMillisecond)}`)).body).toEqual({ ...assurance, asOf: nextMillisecond });
    }
    const changedSinceFirst = captured.filter(
      ({ assurance }) => JSON.stringify((assurance as any).totals) !== JSON.stringify((captured[0].assurance as any).totals),
    );
    expect(changedSinceFirst.length).toBeGreaterThan(5);
  });

  it(`equals a fold of the events up to the instant, at ${INSTANTS} instants`, async () => {
    const random = seededRandom(11);
    const times = log.map((event) => new Date(event.recordedAt).getTime());
    const [first, last] = [times[0], times.at(-1)!];
    const instants = Array.from({ length: INSTANTS }, (_, i) => {
      if (i % 3 === 0) return first - 50 + Math.floor(random() * (last - first + 100));
      const at = times[Math.floor(random() * times.length)];
      return i % 3 === 1 ? at : at - 1;
    }).map((time) => new Date(time).toISOString());
    let compared = 0;
    for (const instant of instants) {
      const today = instant.slice(0, 10);
      const expected = foldUpTo(log, instant)
        .sort((a, b) => Number(a.state.actionId > b.state.actionId) - Number(a.state.actionId < b.state.actionId))
        .map(essentials(today));
      const list = await get(`/actions?asOf=${encodeURIComponent(instant)}&limit=500`);
      expect(list.status).toBe(200);
      const items = (list.body.items as any[]).map(shown).sort((a, b) => Number(a.id > b.id) - Number(a.id < b.id));
      expect({ instant, items }).toEqual({ instant, items: expected });
      expect({ instant, total: list.body.total }).toEqual({ instant, total: expected.length });
      // The totals as of then, with filters, agree with the actions listed as of then.
      type Expected = (typeof expected)[number];
      const filters: [string, (action: Expected) => boolean][] = [
        ['status=outstanding', (action) => isOutstanding(action.status)],
        ['overdue=true', (action) => action.overdue],
        ['partner=police&status=assigned', (action) => action.partnerId === 'police' && action.status === 'assigned'],
      ];
      for (const [query, keep] of filters) {
        const filtered = await get(`/actions?asOf=${encodeURIComponent(instant)}&limit=1&${query}`);
        expect({ instant, query, total: filtered.body.total }).toEqual({ instant, query, total: expected.filter(keep).length });
      }

      const assurance = await get(`/assurance?asOf=${encodeURIComponent(instant)}`);
      const outstanding = expected.filter((action) => isOutstanding(action.status));
      expect(assurance.body.totals).toMatchObject({
        total: expected.length,
        outstanding: outstanding.length,
        overdue: expected.filter((action) => action.overdue).length,
        closed: expected.filter((action) => action.status === 'closed').length,
        evidenced: expected.filter((action) => action.status === 'evidenced').length,
      });
      for (const partner of assurance.body.partners) {
        expect(partner.outstanding).toBe(outstanding.filter((action) => action.partnerId === partner.partnerId).length);
      }

      if (expected.length > 0) {
        const one = expected[Math.floor(random() * expected.length)];
        const single = await get(`/actions/${one.id}?asOf=${encodeURIComponent(instant)}`);
        expect(single.status).toBe(200);
        expect(shown(single.body)).toEqual(one);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(INSTANTS / 2);
  }, 120_000);

  it('shows a partner the actions it owned at the instant, and no others', async () => {
    const { actionId, instant } = handedOver;
    const asOf = `asOf=${encodeURIComponent(instant)}`;
    expect(await get(`/actions/${actionId}?${asOf}`, partnerUser('police'))).toMatchObject({ status: 200, body: { partnerId: 'police' } });
    expect((await get(`/actions/${actionId}`, partnerUser('police'))).status).toBe(403);
    expect((await get(`/actions/${actionId}?${asOf}`, partnerUser('icb'))).status).toBe(403);
    expect((await get(`/actions/${actionId}`, partnerUser('icb'))).status).toBe(200);
    const policeThen = await get(`/actions?${asOf}`, partnerUser('police'));
    expect(policeThen.body.items.map((item: any) => item.id)).toEqual([actionId]);
    expect((await get(`/actions?${asOf}`, partnerUser('icb'))).body.items).toEqual([]);
    expect((await get(`/actions?${asOf}&partner=icb`, partnerUser('police'))).status).toBe(403);
  });

  it('answers before the first event with nothing, and refuses a malformed or future instant', async () => {
    const before = 'asOf=2020-01-01T00:00:00Z';
    expect((await get(`/actions?${before}`)).body.items).toEqual([]);
    expect((await get(`/actions/${handedOver.actionId}?${before}`)).status).toBe(404);
    expect((await get(`/assurance?${before}`)).body).toMatchObject({
      position: '0',
      partners: [],
      reviews: [],
      themes: [],
      totals: { total: 0 },
    });
    for (const asOf of ['yesterday', '2026-01-01T10:00:00', '2026-13-01', new Date(Date.now() + 86_400_000).toISOString()]) {
      const answer = await get(`/assurance?asOf=${encodeURIComponent(asOf)}`);
      expect({ asOf, status: answer.status, field: answer.body.errors?.[0]?.field }).toEqual({ asOf, status: 400, field: 'asOf' });
    }
  });
});
