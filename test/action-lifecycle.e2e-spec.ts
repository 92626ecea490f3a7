import {
  ADMIN,
  AUDITOR,
  CHAIR,
  SUBGROUP,
  TestService,
  TestUser,
  partnerUser,
  seedAction,
  startService,
  testClock,
  webSessionCookie,
} from './support/app';

describe('an action through its whole lifecycle, over HTTP', () => {
  let service: TestService;
  const clock = testClock('2026-01-15T12:00:00Z');
  beforeAll(async () => {
    service = await startService({ clock });
  });
  beforeEach(() => clock.set('2026-01-15T12:00:00Z'));
  afterAll(() => service.close());

  it('answers every write endpoint and records each step as an event with its actor', async () => {
    const police = partnerUser('police');
    const partner = await service.request('POST', '/partners', { as: ADMIN, body: { id: 'police', name: 'Thames Valley Police' } });
    expect(partner).toMatchObject({ status: 201, body: { id: 'police', version: 1 } });
    expect(typeof partner.body.position).toBe('string');

    const partners = await service.request('GET', '/partners', { as: police });
    expect(partners).toMatchObject({ status: 200, body: [{ id: 'police', name: 'Thames Valley Police' }] });

    const review = await service.request('POST', '/reviews', {
      as: SUBGROUP,
      body: { reference: 'CSPR 2025/01', title: 'Child R', kind: 'cspr', themes: ['neglect'], commissionedOn: '2025-01-10' },
    });
    expect(review).toMatchObject({ status: 201, body: { version: 1 } });

    const recommendation = await service.request('POST', `/reviews/${review.body.id}/recommendations`, {
      as: SUBGROUP,
      body: { text: 'Pre-birth assessments must consider both parents.' },
    });
    expect(recommendation).toMatchObject({ status: 201, body: { reviewId: review.body.id, version: 1 } });

    const raised = await service.request('POST', '/actions', {
      as: SUBGROUP,
      body: { recommendationId: recommendation.body.id, description: 'Revise the procedure', successMeasure: 'Audit shows it' },
    });
    expect(raised).toMatchObject({ status: 201, body: { version: 1 } });
    const id = raised.body.id;
    const step = (path: string, body: object, as = SUBGROUP) => service.request('POST', `/actions/${id}${path}`, { as, body });

    expect(await step('/assign', { partnerId: 'police', dueDate: '2026-03-31', lead: 'Head of Public Protection' })).toMatchObject({
      status: 200,
      body: { id, version: 2 },
    });
    expect(await step('/due-date', { dueDate: '2026-05-31', reason: 'New system delayed' })).toMatchObject({
      status: 200,
      body: { version: 3 },
    });
    expect(await step('/progress', { note: 'Draft out for consultation' }, police)).toMatchObject({ status: 200, body: { version: 4 } });
    const first = await step('/evidence', { summary: 'Staff reminded' }, police);
    expect(first).toMatchObject({ status: 201, body: { actionId: id, version: 5 } });
    expect(await step(`/evidence/${first.body.id}/reject`, { reason: 'Shows activity, not change' })).toMatchObject({
      status: 200,
      body: { version: 6 },
    });
    // The owner reads that it was sent back, and why.
    expect((await service.request('GET', `/actions/${id}`, { as: police })).body).toMatchObject({
      status: 'assigned',
      sentBack: true,
      evidence: [{ id: first.body.id, status: 'rejected', decision: 'Shows activity, not change' }],
    });
    const second = await step('/evidence', { summary: 'Audit of 20 cases', link: 'https://example.org/audit.pdf' }, police);
    expect(second.status).toBe(201);
    expect(await step(`/evidence/${second.body.id}/accept`, { note: 'Good' })).toMatchObject({ status: 200, body: { version: 8 } });

    clock.set('2026-06-15T12:00:00Z');
    let view = await service.request('GET', `/actions/${id}`, { as: police });
    expect(view.status).toBe(200);
    expect(view.headers.get('etag')).toBe('"8"');
    expect(view.body).toMatchObject({
      id,
      recommendationId: recommendation.body.id,
      reviewId: review.body.id,
      themes: ['neglect'],
      partnerId: 'police',
      lead: 'Head of Public Protection',
      dueDate: '2026-05-31',
      originalDueDate: '2026-03-31',
      status: 'evidenced',
      overdue: true,
      version: 8,
      evidence: [
        { id: first.body.id, summary: 'Staff reminded', link: null, status: 'rejected', decision: 'Shows activity, not change' },
        { id: second.body.id, status: 'accepted', link: 'https://example.org/audit.pdf', decision: 'Good' },
      ],
      sentBack: false,
    });

    expect(await step('/close', { outcome: 'impact-evidenced', rationale: 'Audit shows change' })).toMatchObject({
      status: 200,
      body: { version: 9 },
    });
    view = await service.request('GET', `/actions/${id}`, { as: CHAIR });
    expect(view.body).toMatchObject({ status: 'closed', overdue: false, outstanding: false, outcome: 'impact-evidenced' });
    expect(await step('/reopen', { reason: 'Repeat incident' })).toMatchObject({ status: 200, body: { version: 10 } });
    expect((await service.request('GET', `/actions/${id}`, { as: SUBGROUP })).body.status).toBe('assigned');
    expect(await step('/withdraw', { reason: 'Superseded by the new review' })).toMatchObject({ status: 200, body: { version: 11 } });

    const history = await service.request('GET', `/actions/${id}/history`, { as: AUDITOR });
    expect(history.status).toBe(200);
    expect(history.body.map((e: { type: string }) => e.type)).toEqual([
      'ActionRaised',
      'ActionAssigned',
      'ActionDueDateRevised',
      'ActionProgressNoted',
      'EvidenceSubmitted',
      'EvidenceRejected',
      'EvidenceSubmitted',
      'EvidenceAccepted',
      'ActionClosed',
      'ActionReopened',
      'ActionWithdrawn',
    ]);
    expect(history.body.map((e: { version: number }) => e.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(history.body[3]).toMatchObject({
      data: { note: 'Draft out for consultation' },
      actor: { sub: 'lead-police', name: 'Lead of police', roles: ['partner'], partner: 'police' },
    });
    const positions = history.body.map((e: { position: string }) => BigInt(e.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
  });

  it('reassigns an outstanding action to another partner, with a reason, who then owns it alone', async () => {
    const { actionId } = await seedAction(service, ['county-council', 'health']);
    await service.request('POST', `/actions/${actionId}/assign`, {
      as: SUBGROUP,
      body: { partnerId: 'county-council', dueDate: '2026-09-30' },
    });
    const withoutReason = await service.request('POST', `/actions/${actionId}/assign`, {
      as: SUBGROUP,
      body: { partnerId: 'health', dueDate: '2026-10-31' },
    });
    expect(withoutReason).toMatchObject({ status: 400, body: { code: 'reason-required' } });
    const moved = await service.request('POST', `/actions/${actionId}/assign`, {
      as: SUBGROUP,
      body: { partnerId: 'health', dueDate: '2026-10-31', reason: 'The work sits with the ICB now' },
    });
    expect(moved).toMatchObject({ status: 200, body: { version: 3 } });
    expect((await service.request('GET', `/actions/${actionId}`, { as: partnerUser('county-council') })).status).toBe(403);
    expect((await service.request('GET', `/actions/${actionId}`, { as: partnerUser('health') })).body).toMatchObject({
      partnerId: 'health',
      dueDate: '2026-10-31',
      overdue: false,
    });
    // The new owner reads the whole history, the reason it came to them included; the old owner no longer can.
    const ownersHistory = await service.request('GET', `/actions/${actionId}/history`, { as: partnerUser('health') });
    expect(ownersHistory.status).toBe(200);
    expect(ownersHistory.body.at(-1).data.reason).toBe('The work sits with the ICB now');
    expect((await service.request('GET', `/actions/${actionId}/history`, { as: partnerUser('county-council') })).status).toBe(403);
    const history = await service.request('GET', `/actions/${actionId}/history`, { as: CHAIR });
    expect(history.body[2]).toMatchObject({
      type: 'ActionReassigned',
      data: {
        previousPartnerId: 'county-council',
        partnerId: 'health',
        previousDueDate: '2026-09-30',
        reason: 'The work sits with the ICB now',
      },
    });
  });

  it('shows a partner lead on the pages what was sent back and why: on the list, and on the evidence', async () => {
    const { actionId, reviewId } = await seedAction(service);
    await service.request('POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'police', dueDate: '2026-12-31' } });
    const evidence = await service.request('POST', `/actions/${actionId}/evidence`, {
      as: partnerUser('police'),
      body: { summary: 'Staff told' },
    });
    await service.request('POST', `/actions/${actionId}/evidence/${evidence.body.id}/reject`, {
      as: SUBGROUP,
      body: { reason: 'Shows activity, not change in practice' },
    });
    await service.request('GET', `/actions/${actionId}`, { as: SUBGROUP });
    const cookie = await webSessionCookie(service, 'demo-lead-police');
    const page = async (path: string) => (await fetch(`${service.url}${path}`, { headers: { cookie } })).text();
    const row = /<tr[^>]*>(?:(?!<\/tr>)[^])*Revise the pre-birth procedure(?:(?!<\/tr>)[^])*<\/tr>/.exec(
      await page('/tracker?status=outstanding'),
    );
    expect(row?.[0]).toContain('Sent back');
    // On the review, the recommendation counts the agency's own actions, and says so.
    expect(await page(`/learning-reviews/${reviewId}`)).toContain(
      'Your agency&#39;s actions: 1 action: 1 outstanding, 0 overdue, 0 closed.',
    );
    const card = /data-test="sent-back"[^]*?<\/div>/.exec(await page(`/tracker/${actionId}`))![0];
    expect(card.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')).toContain(
      'The subgroup did not accept this evidence. Their reason: Shows activity, not change in practice Send new evidence, or ask for more time.',
    );
  });

  it('leaves a closed action’s assurance stale when its accepted evidence is withdrawn, until the subgroup assures it again', async () => {
    const police = partnerUser('police');
    const { actionId } = await seedAction(service);
    const post = (path: string, body: object, as: TestUser = SUBGROUP) =>
      service.request('POST', `/actions/${actionId}${path}`, { as, body });
    await post('/assign', { partnerId: 'police', dueDate: '2026-12-31' });
    const evidence = await post('/evidence', { summary: 'Audit of 20 cases' }, police);
    await post(`/evidence/${evidence.body.id}/accept`, { note: 'Convincing' });
    expect((await post('/close', { outcome: 'completed', rationale: 'Audit shows change' })).status).toBe(200);
    const staleFor = async () => {
      const picture = await service.request('GET', '/assurance', { as: SUBGROUP });
      return picture.body.partners.find((partner: { partnerId: string }) => partner.partnerId === 'police').assuranceStale;
    };
    const before = await staleFor();

    expect((await post(`/evidence/${evidence.body.id}/withdraw`, { reason: 'The sample was from another team' }, police)).status).toBe(200);
    expect((await service.request('GET', `/actions/${actionId}`, { as: SUBGROUP })).body).toMatchObject({
      status: 'closed',
      assuranceStale: true,
      evidence: [{ id: evidence.body.id, status: 'withdrawn', decision: 'The sample was from another team' }],
      can: expect.arrayContaining(['reassure', 'reopen']),
    });
    expect(await staleFor()).toBe(before + 1);
    // The chair's dashboard counts it, by agency; the action says so on its page.
    const cookie = await webSessionCookie(service, 'demo-chair');
    const dashboard = (await (await fetch(`${service.url}/dashboard`, { headers: { cookie } })).text()).replace(/\s+/g, ' ');
    expect(dashboard).toMatch(
      /data-count="assurance-stale">\d+ closed actions? to assure again, the evidence behind (it|them) withdrawn: ([^<,]+ \d+, )*[^<,]*[Pp]olice \d+(, [^<,]+ \d+)*<\/li>/,
    );
    expect(await (await fetch(`${service.url}/tracker/${actionId}`, { headers: { cookie } })).text()).toContain('Assurance stale');

    expect((await post('/reassure', { note: 'A second audit shows the change held' })).status).toBe(200);
    expect((await service.request('GET', `/actions/${actionId}`, { as: SUBGROUP })).body.assuranceStale).toBe(false);
    expect(await staleFor()).toBe(before);
    const again = await post('/reassure', { note: 'Once more' });
    expect([again.status, again.body.code]).toEqual([409, 'assurance-not-stale']);
    const history = await service.request('GET', `/actions/${actionId}/history`, { as: SUBGROUP });
    expect(history.body.slice(-2).map((entry: { type: string }) => entry.type)).toEqual(['EvidenceWithdrawn', 'AssuranceRenewed']);
  });

  it('closes as superseded without evidence', async () => {
    const { actionId } = await seedAction(service);
    await service.request('POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'police', dueDate: '2026-09-30' } });
    const closed = await service.request('POST', `/actions/${actionId}/close`, {
      as: SUBGROUP,
      body: { outcome: 'superseded', rationale: 'Replaced' },
    });
    expect(closed).toMatchObject({ status: 200, body: { version: 3 } });
  });

  it('says what each reader can do to the action as it stands, and does what it says', async () => {
    const police = partnerUser('police');
    const can = async (actionId: string, as: TestUser, query = '') =>
      (await service.request('GET', `/actions/${actionId}${query}`, { as })).body.can as string[];
    const { actionId } = await seedAction(service);
    expect(await can(actionId, SUBGROUP)).toEqual(expect.arrayContaining(['assign', 'withdraw', 'correct']));
    expect(await can(actionId, SUBGROUP)).not.toContain('evidence');
    // No agency owns it yet: its partner lead cannot evidence it, and a reader can do nothing.
    expect((await service.request('GET', `/actions/${actionId}`, { as: police })).status).toBe(403);
    expect(await can(actionId, CHAIR)).toEqual([]);
    await service.request('POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'police', dueDate: '2026-09-30' } });
    expect((await can(actionId, police)).sort()).toEqual(['evidence', 'extension-requests', 'progress']);
    const before = new Date().toISOString();
    const evidence = await service.request('POST', `/actions/${actionId}/evidence`, { as: police, body: { summary: 'Audit of 20 cases' } });
    expect(evidence.status).toBe(201);
    expect(await can(actionId, SUBGROUP)).toEqual(expect.arrayContaining(['accept', 'reject', 'close']));
    expect(await can(actionId, AUDITOR)).toEqual([]);
    // Looking back, nothing can be done to what is shown.
    clock.set(new Date(Date.now() + 1000).toISOString());
    expect(await can(actionId, SUBGROUP, `?asOf=${before}`)).toEqual([]);
    // Every operation offered is one the service accepts.
    expect((await can(actionId, police)).sort()).toEqual(['evidence', 'extension-requests', 'progress', 'withdraw']);
    for (const operation of await can(actionId, police)) {
      const body =
        operation === 'extension-requests'
          ? { dueDate: '2026-12-31', reason: 'Waiting' }
          : operation === 'progress'
            ? { note: 'On track' }
            : operation === 'withdraw'
              ? { reason: 'Sent the wrong audit' }
              : { summary: 'More' };
      // Its own evidence is what a partner lead may withdraw: the write's path names the evidence.
      const path = operation === 'withdraw' ? `evidence/${evidence.body.id}/withdraw` : operation;
      expect((await service.request('POST', `/actions/${actionId}/${path}`, { as: police, body })).status).toBeLessThan(300);
    }
  });

  it('gives each partner agency its red, amber or green status', async () => {
    const { body } = await service.request('GET', '/assurance', { as: CHAIR });
    for (const partner of body.partners) {
      const expected = partner.overdue > 0 && partner.overdue * 4 >= partner.outstanding ? 'red' : partner.overdue > 0 ? 'amber' : 'green';
      expect([partner.partnerId, partner.rag]).toEqual([partner.partnerId, expected]);
    }
    expect(body.partners.length).toBeGreaterThan(0);
  });

  it('answers an action within its own document: every field it requires, each value of an enum among those it lists, null included', async () => {
    type Property = { enum?: unknown[]; nullable?: boolean };
    const document = (await service.request('GET', '/docs-json')).body;
    const schema = document.components.schemas.ActionDetailView as { properties: Record<string, Property>; required: string[] };
    const { actionId } = await seedAction(service);
    const { body: action } = await service.request('GET', `/actions/${actionId}`, { as: SUBGROUP });
    expect(action).toMatchObject({ assurance: null, outcome: null, impact: null });
    for (const name of schema.required) expect([name, name in action]).toEqual([name, true]);
    for (const [name, property] of Object.entries(schema.properties)) {
      if (action[name] === null) expect([name, property.nullable]).toEqual([name, true]);
      if (property.enum && name in action) expect([name, property.enum.includes(action[name])]).toEqual([name, true]);
    }
  });
});
