import { ADMIN, AUDITOR, CHAIR, SUBGROUP, TestService, TestUser, partnerUser, startService, testClock } from './support/app';

const POLICE = partnerUser('police');
const HEALTH = partnerUser('health');
/** Another member of the subgroup: the one who did not submit the evidence decides it. */
const SECOND_MEMBER: TestUser = { roles: ['subgroup'], sub: 'member-2', name: 'Second member' };

describe('how a partnership works its action plan, over HTTP', () => {
  let service: TestService;
  const clock = testClock('2026-01-15T12:00:00Z');
  let reviewId: string;
  let recommendationId: string;

  const post = (path: string, body: object, as: TestUser = SUBGROUP) => service.request('POST', path, { as, body });
  const get = (path: string, as: TestUser = SUBGROUP) => service.request('GET', path, { as });
  const newAction = async (dueDate = '2026-03-31', partnerId = 'police') => {
    const { body } = await post('/actions', { recommendationId, description: 'Revise the pre-birth procedure' });
    expect((await post(`/actions/${body.id}/assign`, { partnerId, dueDate })).status).toBe(200);
    return body.id as string;
  };

  beforeAll(async () => {
    service = await startService({ clock });
    for (const id of ['police', 'health']) await post('/partners', { id, name: id }, ADMIN);
    reviewId = (await post('/reviews', { reference: 'CSPR 2026/01', title: 'Child S', kind: 'cspr', themes: ['Neglect'] })).body.id;
    recommendationId = (await post(`/reviews/${reviewId}/recommendations`, { text: 'Assess both parents' })).body.id;
  });
  beforeEach(() => clock.set('2026-01-15T12:00:00Z'));
  afterAll(() => service.close());

  describe('due dates', () => {
    it('refuses a date already past on assign, revise and extension, and changes nothing', async () => {
      const { body } = await post('/actions', { recommendationId, description: 'Brief every health visitor' });
      const past = await post(`/actions/${body.id}/assign`, { partnerId: 'police', dueDate: '2026-01-14' });
      expect(past).toMatchObject({ status: 400, body: { code: 'due-date-in-past' } });
      expect(past.body.detail).toContain('14 January 2026');
      expect((await get(`/actions/${body.id}`)).body).toMatchObject({ status: 'raised', dueDate: null, version: 1 });
      expect((await post(`/actions/${body.id}/assign`, { partnerId: 'police', dueDate: '2026-01-15' })).status).toBe(200);
      expect(await post(`/actions/${body.id}/due-date`, { dueDate: '2026-01-01', reason: 'r' })).toMatchObject({
        status: 400,
        body: { code: 'due-date-in-past' },
      });
    });
  });

  describe('extension requests', () => {
    it('lets the owning partner ask, the subgroup approve, and shows the slip and every request', async () => {
      const id = await newAction();
      const asked = await post(`/actions/${id}/extension-requests`, { dueDate: '2026-05-31', reason: 'New system late' }, POLICE);
      expect(asked).toMatchObject({ status: 201, body: { actionId: id } });
      expect(await post(`/actions/${id}/extension-requests`, { dueDate: '2026-06-30', reason: 'Again' }, POLICE)).toMatchObject({
        status: 409,
        body: { code: 'extension-pending' },
      });
      expect((await post(`/actions/${id}/extension-requests`, { dueDate: '2026-06-30', reason: 'x' }, HEALTH)).status).toBe(403);
      expect((await get(`/actions?extension=pending`)).body.items.map((item: { id: string }) => item.id)).toContain(id);
      expect((await get('/assurance', CHAIR)).body.totals.extensionsPending).toBe(1);
      const beforeApproval = new Date().toISOString();

      expect((await post(`/actions/${id}/extension-requests/${asked.body.id}/approve`, {}, POLICE)).status).toBe(403);
      const approved = await post(`/actions/${id}/extension-requests/${asked.body.id}/approve`, { note: 'Agreed in May' });
      expect(approved.status).toBe(200);
      const view = (await get(`/actions/${id}`, POLICE)).body;
      expect(view).toMatchObject({
        dueDate: '2026-05-31',
        originalDueDate: '2026-03-31',
        daysSlipped: 61,
        extensions: [
          {
            id: asked.body.id,
            dueDate: '2026-05-31',
            reason: 'New system late',
            status: 'approved',
            requestedBy: 'lead-police',
            decidedBy: 'subgroup-1',
            decision: 'Agreed in May',
          },
        ],
      });
      expect((await get(`/actions?extension=pending`)).body.items.map((item: { id: string }) => item.id)).not.toContain(id);
      // As of a moment before the approval, the action was due on its first date. (Events are stamped by the database's clock.)
      clock.set(new Date().toISOString());
      expect((await get(`/actions/${id}?asOf=${beforeApproval}`)).body).toMatchObject({ dueDate: '2026-03-31', daysSlipped: 0 });
      expect(await post(`/actions/${id}/extension-requests/${asked.body.id}/refuse`, { reason: 'late' })).toMatchObject({
        status: 409,
        body: { code: 'extension-decided' },
      });
    });

    it('refuses with a reason the partner reads, and refuses a date no later than the current one', async () => {
      const id = await newAction();
      expect(await post(`/actions/${id}/extension-requests`, { dueDate: '2026-03-01', reason: 'r' }, POLICE)).toMatchObject({
        status: 400,
        body: { code: 'extension-not-later' },
      });
      const asked = await post(`/actions/${id}/extension-requests`, { dueDate: '2026-04-30', reason: 'Staff off sick' });
      expect(asked.status).toBe(201);
      expect((await post(`/actions/${id}/extension-requests/${asked.body.id}/refuse`, {})).status).toBe(400);
      await post(`/actions/${id}/extension-requests/${asked.body.id}/refuse`, { reason: 'The date is statutory' });
      expect((await get(`/actions/${id}`, POLICE)).body).toMatchObject({
        dueDate: '2026-03-31',
        daysSlipped: 0,
        extensions: [{ status: 'refused', decision: 'The date is statutory', requestedBy: 'subgroup-1' }],
      });
      const history = (await get(`/actions/${id}/history`, POLICE)).body;
      expect(history.at(-1)).toMatchObject({ type: 'ExtensionRefused', data: { reason: 'The date is statutory' } });
    });

    it('refuses a pending request when the action is reassigned, closed or withdrawn', async () => {
      for (const [path, body] of [
        ['/assign', { partnerId: 'health', dueDate: '2026-04-30', reason: 'ICB leads now' }],
        ['/close', { outcome: 'superseded', rationale: 'National change' }],
        ['/withdraw', { reason: 'No longer needed' }],
      ] as const) {
        const id = await newAction();
        await post(`/actions/${id}/extension-requests`, { dueDate: '2026-05-31', reason: 'r' }, POLICE);
        expect((await post(`/actions/${id}${path}`, body)).status).toBe(200);
        const types = (await get(`/actions/${id}/history`, AUDITOR)).body.map((event: { type: string }) => event.type);
        expect(types.slice(-2)[0]).toBe('ExtensionRefused');
        expect((await get(`/actions/${id}`)).body.extensions).toEqual([expect.objectContaining({ status: 'refused' })]);
      }
    });
  });

  describe('assurance and impact', () => {
    it('tells awaiting assurance from ready to close, and checks impact six months after completion', async () => {
      const id = await newAction();
      const evidence = await post(`/actions/${id}/evidence`, { summary: 'Audit of 20 cases' }, POLICE);
      expect((await get(`/actions/${id}`)).body).toMatchObject({ status: 'evidenced', assurance: 'awaiting' });
      await post(`/actions/${id}/evidence/${evidence.body.id}/accept`, {});
      expect((await get(`/actions/${id}`)).body).toMatchObject({ status: 'evidenced', assurance: 'accepted' });
      expect((await get('/actions?assurance=accepted')).body.items.map((item: { id: string }) => item.id)).toContain(id);
      expect((await get('/assurance', CHAIR)).body.totals).toMatchObject({ readyToClose: 1, evidenced: 1 });

      expect(await post(`/actions/${id}/impact`, { result: 'evidenced', note: 'x' })).toMatchObject({
        status: 409,
        body: { code: 'action-evidenced' },
      });
      await post(`/actions/${id}/close`, { outcome: 'completed', rationale: 'Procedure revised' });
      expect((await get(`/actions/${id}`)).body).toMatchObject({
        outcome: 'completed',
        impactReviewDue: '2026-07-15',
        impact: null,
        impactCheckOverdue: false,
        assurance: null,
      });
      expect((await get('/actions?impact=due')).body.items.map((item: { id: string }) => item.id)).toEqual([id]);
      expect((await get('/actions?impact=overdue')).body.items).toEqual([]);

      clock.set('2026-08-01T12:00:00Z');
      expect((await get('/actions?impact=overdue')).body.items.map((item: { id: string }) => item.id)).toEqual([id]);
      expect((await get('/assurance', CHAIR)).body.totals).toMatchObject({ impactChecksDue: 1, impactChecksOverdue: 1 });
      expect((await get(`/actions/${id}`)).body.impactCheckOverdue).toBe(true);

      expect((await post(`/actions/${id}/impact`, { result: 'evidenced', note: 'Re-audit' }, POLICE)).status).toBe(403);
      expect((await post(`/actions/${id}/impact`, { result: 'maybe', note: 'x' })).status).toBe(400);
      expect((await post(`/actions/${id}/impact`, { result: 'evidenced', note: 'Re-audit: both parents assessed' })).status).toBe(200);
      expect((await get(`/actions/${id}`)).body).toMatchObject({ outcome: 'impact-evidenced', impact: 'evidenced' });
      expect((await get('/assurance', CHAIR)).body.totals).toMatchObject({ impactChecksDue: 0, impactChecksOverdue: 0 });
      expect(await post(`/actions/${id}/impact`, { result: 'evidenced', note: 'again' })).toMatchObject({
        status: 409,
        body: { code: 'impact-recorded' },
      });
    });

    it('refuses a subgroup member accepting evidence they submitted, and lets another', async () => {
      const id = await newAction();
      const evidence = await post(`/actions/${id}/evidence`, { summary: 'Briefing delivered' });
      expect(await post(`/actions/${id}/evidence/${evidence.body.id}/accept`, {})).toMatchObject({
        status: 403,
        body: { code: 'own-evidence-assurance' },
      });
      expect((await post(`/actions/${id}/evidence/${evidence.body.id}/accept`, {}, SECOND_MEMBER)).status).toBe(200);
    });
  });

  describe('themes', () => {
    it('inherit from the review, and are one theme whatever their case or spacing, shown as first spelt', async () => {
      const id = await newAction();
      expect((await get(`/actions/${id}`)).body.themes).toEqual(['Neglect']);
      const other = await post('/reviews', { reference: 'RR 2026/02', title: 'Baby T', kind: 'rapid-review', themes: [' neglect '] });
      const recommendation = await post(`/reviews/${other.body.id}/recommendations`, { text: 'Share before birth', themes: [] });
      const raised = await post('/actions', { recommendationId: recommendation.body.id, description: 'Agreement signed' });
      expect((await get(`/actions/${raised.body.id}`)).body.themes).toEqual(['neglect']);
      const themes = (await get('/assurance', CHAIR)).body.themes.map((theme: { theme: string }) => theme.theme);
      expect(themes.filter((theme: string) => theme.toLowerCase() === 'neglect')).toEqual(['Neglect']);
      const listed = (await get('/actions?theme=NEGLECT&limit=500')).body.items.map((item: { id: string }) => item.id);
      expect(listed).toEqual(expect.arrayContaining([id, raised.body.id]));
    });
  });

  describe('corrections', () => {
    it('change the text shown everywhere and keep the old text in the history', async () => {
      const id = await newAction();
      expect((await post(`/actions/${id}/correct`, { reason: 'Typo' })).body).toMatchObject({ code: 'nothing-to-correct' });
      expect((await post(`/actions/${id}/correct`, { reason: 'Typo', description: 'x' }, POLICE)).status).toBe(403);
      const corrected = await post(`/actions/${id}/correct`, {
        reason: 'Named the wrong procedure',
        description: 'Revise the pre-birth protocol',
      });
      expect(corrected.status).toBe(200);
      expect((await get(`/actions/${id}`, POLICE)).body.description).toBe('Revise the pre-birth protocol');
      expect((await get(`/actions?limit=500`)).body.items.find((item: { id: string }) => item.id === id).description).toBe(
        'Revise the pre-birth protocol',
      );
      expect((await get(`/actions/${id}/history`, AUDITOR)).body.at(-1)).toMatchObject({
        type: 'ActionCorrected',
        data: {
          corrected: { description: 'Revise the pre-birth protocol' },
          previous: { description: 'Revise the pre-birth procedure' },
          reason: 'Named the wrong procedure',
        },
      });

      const review = await post(`/reviews/${reviewId}/correct`, { reason: 'Pseudonym misspelt', title: 'Child S: neglect' });
      expect(review.status).toBe(200);
      expect((await get(`/reviews/${reviewId}`)).body.title).toBe('Child S: neglect');
      expect(
        await post(`/reviews/${reviewId}/correct`, { reason: 'r', publishedOn: '2020-01-01', commissionedOn: '2021-01-01' }),
      ).toMatchObject({
        status: 400,
        body: { code: 'published-before-commissioned' },
      });
      const recommendation = await post(`/reviews/${reviewId}/recommendations/${recommendationId}/correct`, {
        reason: 'Wording agreed at the board',
        text: 'Assess both parents before birth',
      });
      expect(recommendation.status).toBe(200);
      const shown = (await get(`/reviews/${reviewId}`)).body.recommendations.find((item: { id: string }) => item.id === recommendationId);
      expect(shown.text).toBe('Assess both parents before birth');
      expect((await post(`/reviews/no-such-review/recommendations/${recommendationId}/correct`, { reason: 'r', text: 't' })).status).toBe(
        404,
      );
    });
  });
});
