import { ADMIN, SUBGROUP, TestService, partnerUser, seedAction, startService } from './support/app';

const PROBLEM = 'application/problem+json';

describe('errors: every status of the contract, as problem+json, changing nothing', () => {
  let service: TestService;
  let actionId: string;
  let recommendationId: string;

  beforeAll(async () => {
    service = await startService();
    ({ actionId, recommendationId } = await seedAction(service));
  });
  afterAll(() => service.close());

  /** Sends a request that must fail, and checks the answer is a problem and that no event was written. */
  async function refused(status: number, method: string, path: string, options: Parameters<TestService['request']>[2] = {}) {
    const before = await service.headPosition();
    const answer = await service.request(method, path, options);
    expect({ path, status: answer.status, body: answer.body }).toMatchObject({ status });
    expect(answer.headers.get('content-type')).toContain(PROBLEM);
    expect(answer.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
    expect(JSON.stringify(answer.body)).not.toMatch(/\bat .*\.(js|ts):\d+/);
    expect(await service.headPosition()).toBe(before);
    return answer.body;
  }

  describe('400', () => {
    it('refuses malformed JSON', async () => {
      await refused(400, 'POST', '/reviews', { as: SUBGROUP, body: '{"reference": "x",' });
    });

    it('refuses a body that is not an object', async () => {
      const body = await refused(400, 'POST', '/reviews', { as: SUBGROUP, body: '[1, 2]' });
      expect(body.errors).toEqual([{ field: '(body)', message: 'must be a JSON object' }]);
    });

    it('names unknown fields', async () => {
      const body = await refused(400, 'POST', '/reviews', {
        as: SUBGROUP,
        body: { reference: 'R1', title: 'T', kind: 'cspr', colour: 'red' },
      });
      expect(body.errors).toEqual([{ field: 'colour', message: 'is not a known field' }]);
    });

    it('names missing required fields and wrong types', async () => {
      const body = await refused(400, 'POST', '/reviews', { as: SUBGROUP, body: { title: 42, kind: 'gossip', themes: 'neglect' } });
      const fields = body.errors.map((e: { field: string }) => e.field);
      expect(new Set(fields)).toEqual(new Set(['reference', 'title', 'kind', 'themes']));
    });

    it.each(['2026-02-30', '31/03/2026', '2026-3-1', '2026-03-31T00:00:00Z', ''])('refuses the bad date %p', async (dueDate) => {
      const body = await refused(400, 'POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'police', dueDate } });
      expect(body.errors).toEqual([{ field: 'dueDate', message: 'must be a calendar date, YYYY-MM-DD' }]);
    });

    it('refuses strings over their limits, blank strings and NUL characters', async () => {
      const tooLong = await refused(400, 'POST', '/reviews', {
        as: SUBGROUP,
        body: { reference: 'r'.repeat(65), title: 'T', kind: 'cspr' },
      });
      expect(tooLong.errors[0].field).toBe('reference');
      await refused(400, 'POST', '/actions', { as: SUBGROUP, body: { recommendationId, description: 'd'.repeat(4001) } });
      await refused(400, 'POST', '/actions', { as: SUBGROUP, body: { recommendationId, description: '   ' } });
      const nul = await refused(400, 'POST', '/actions', { as: SUBGROUP, body: { recommendationId, description: 'a\u0000b' } });
      expect(nul.errors).toEqual([{ field: 'description', message: 'must not contain NUL characters' }]);
    });

    it('refuses bad enum values, links, ids and partner slugs', async () => {
      await refused(400, 'POST', `/actions/${actionId}/close`, { as: SUBGROUP, body: { outcome: 'done', rationale: 'x' } });
      await refused(400, 'POST', `/actions/${actionId}/evidence`, { as: SUBGROUP, body: { summary: 's', link: 'javascript:alert(1)' } });
      await refused(400, 'POST', '/reviews', { as: SUBGROUP, body: { id: 'not-a-uuid', reference: 'R', title: 'T', kind: 'cspr' } });
      await refused(400, 'POST', '/partners', { as: ADMIN, body: { id: 'Bad Slug!', name: 'x' } });
    });

    it('refuses a review published before it was commissioned', async () => {
      await refused(400, 'POST', '/reviews', {
        as: SUBGROUP,
        body: { reference: 'R', title: 'T', kind: 'cspr', commissionedOn: '2025-05-01', publishedOn: '2025-04-01' },
      });
    });

    it('refuses a malformed If-Match or an over-long Idempotency-Key', async () => {
      await refused(400, 'POST', `/actions/${actionId}/progress`, {
        as: SUBGROUP,
        body: { note: 'n' },
        headers: { 'if-match': 'yesterday' },
      });
      await refused(400, 'POST', `/actions/${actionId}/progress`, {
        as: SUBGROUP,
        body: { note: 'n' },
        headers: { 'idempotency-key': 'k'.repeat(201) },
      });
    });
  });

  it('401 without a token', async () => {
    await refused(401, 'POST', '/reviews', { body: { reference: 'R', title: 'T', kind: 'cspr' } });
    await refused(401, 'GET', `/actions/${actionId}`);
  });

  it('403 for a role that may not, and for another partner', async () => {
    await refused(403, 'POST', '/partners', { as: SUBGROUP, body: { id: 'health', name: 'Health' } });
    await service.request('POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'police', dueDate: '2027-01-31' } });
    await refused(403, 'POST', `/actions/${actionId}/evidence`, { as: partnerUser('county-council'), body: { summary: 'Not ours' } });
  });

  it('404 for unknown reviews, recommendations, actions, partners and evidence', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    await refused(404, 'POST', `/reviews/${unknown}/recommendations`, { as: SUBGROUP, body: { text: 't' } });
    await refused(404, 'POST', '/actions', { as: SUBGROUP, body: { recommendationId: unknown, description: 'd' } });
    await refused(404, 'POST', `/actions/${unknown}/progress`, { as: SUBGROUP, body: { note: 'n' } });
    await refused(404, 'GET', `/actions/${unknown}`, { as: SUBGROUP });
    await refused(404, 'GET', `/actions/${unknown}/history`, { as: SUBGROUP });
    await refused(404, 'POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'nobody', dueDate: '2027-01-31' } });
    await refused(404, 'POST', `/actions/${actionId}/evidence/${unknown}/accept`, { as: SUBGROUP, body: {} });
    await refused(404, 'GET', '/no-such-route', { as: SUBGROUP });
  });

  it('409 for commands the state does not allow', async () => {
    const fresh = await seedAction(service);
    const body = await refused(409, 'POST', `/actions/${fresh.actionId}/close`, {
      as: SUBGROUP,
      body: { outcome: 'completed', rationale: 'r' },
    });
    expect(body.code).toBe('action-not-assigned');
    await refused(409, 'POST', '/partners', { as: ADMIN, body: { id: 'police', name: 'Police again' } });
    await service.request('POST', `/actions/${fresh.actionId}/assign`, {
      as: SUBGROUP,
      body: { partnerId: 'police', dueDate: '2027-01-31' },
    });
    const noEvidence = await refused(409, 'POST', `/actions/${fresh.actionId}/close`, {
      as: SUBGROUP,
      body: { outcome: 'completed', rationale: 'r' },
    });
    expect(noEvidence.code).toBe('no-accepted-evidence');
    await service.request('POST', `/actions/${fresh.actionId}/withdraw`, { as: SUBGROUP, body: { reason: 'r' } });
    await refused(409, 'POST', `/actions/${fresh.actionId}/evidence`, { as: partnerUser('police'), body: { summary: 'late' } });
  });

  it('412 when If-Match names a version the stream has moved on from', async () => {
    const view = await service.request('GET', `/actions/${actionId}`, { as: SUBGROUP });
    const version = Number(JSON.parse(view.headers.get('etag')!));
    const ok = await service.request('POST', `/actions/${actionId}/progress`, {
      as: SUBGROUP,
      body: { note: 'first' },
      headers: { 'if-match': `"${version}"` },
    });
    expect(ok).toMatchObject({ status: 200, body: { version: version + 1 } });
    await refused(412, 'POST', `/actions/${actionId}/progress`, {
      as: SUBGROUP,
      body: { note: 'stale' },
      headers: { 'if-match': `"${version}"` },
    });
  });

  it('413 for a body over 1 MiB', async () => {
    await refused(413, 'POST', `/actions/${actionId}/progress`, { as: SUBGROUP, body: { note: 'x'.repeat(1024 * 1024 + 10) } });
  });

  it('422 for an Idempotency-Key reused with another body; the same body answers the first answer', async () => {
    const headers = { 'idempotency-key': `progress-${actionId}` };
    const first = await service.request('POST', `/actions/${actionId}/progress`, { as: SUBGROUP, body: { note: 'once' }, headers });
    expect(first.status).toBe(200);
    const position = await service.headPosition();
    const again = await service.request('POST', `/actions/${actionId}/progress`, { as: SUBGROUP, body: { note: 'once' }, headers });
    expect(again).toMatchObject({ status: 200, body: first.body });
    expect(await service.headPosition()).toBe(position);
    const body = await refused(422, 'POST', `/actions/${actionId}/progress`, { as: SUBGROUP, body: { note: 'twice' }, headers });
    expect(body.code).toBe('idempotency-key-reused');
  });

  it('415 for a body that is not JSON', async () => {
    await refused(415, 'POST', '/reviews', {
      as: SUBGROUP,
      body: 'reference=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  });
});
