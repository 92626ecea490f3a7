import { SUBGROUP, TestService, partnerUser, seedAction, startService } from './support/app';

describe('concurrent writers and retries over HTTP', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.close());

  it('never shows a client a conflict caused only by a concurrent writer without If-Match', async () => {
    const { actionId } = await seedAction(service);
    await service.request('POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'police', dueDate: '2027-01-31' } });
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        service.request('POST', `/actions/${actionId}/progress`, {
          as: i % 2 ? SUBGROUP : partnerUser('police'),
          body: { note: `note ${i}` },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(30).fill(200));
    expect(new Set(answers.map((a) => a.body.version)).size).toBe(30);
    const history = await service.request('GET', `/actions/${actionId}/history`, { as: SUBGROUP });
    expect(history.body.filter((e: { type: string }) => e.type === 'ActionProgressNoted')).toHaveLength(30);
  });

  it('lets exactly one of several concurrent writers with the same If-Match through, the rest 412', async () => {
    const { actionId } = await seedAction(service);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        service.request('POST', `/actions/${actionId}/progress`, { as: SUBGROUP, body: { note: `n${i}` }, headers: { 'if-match': '"1"' } }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 412)).toHaveLength(9);
  });

  it('writes once for concurrent repeats of one Idempotency-Key, answering all alike', async () => {
    const { actionId } = await seedAction(service);
    const before = await service.headPosition();
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        service.request('POST', `/actions/${actionId}/progress`, {
          as: SUBGROUP,
          body: { note: 'once' },
          headers: { 'idempotency-key': 'same-key' },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(await service.headPosition()).toBe(before + 1);
  });

  it('makes a create with a client-supplied id safe to retry', async () => {
    const id = 'c3f1e2a4-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
    const body = { id, reference: 'RR-7', title: 'Rapid review 7', kind: 'rapid-review' };
    const first = await service.request('POST', '/reviews', { as: SUBGROUP, body });
    const again = await service.request('POST', '/reviews', { as: SUBGROUP, body });
    expect(first).toMatchObject({ status: 201, body: { id, version: 1 } });
    expect(again).toMatchObject({ status: 201, body: { id, version: 1, position: first.body.position } });
    expect((await service.request('POST', '/reviews', { as: SUBGROUP, body: { ...body, title: 'Other' } })).status).toBe(409);
  });
});
