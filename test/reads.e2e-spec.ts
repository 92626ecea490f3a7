import { ADMIN, AUDITOR, CHAIR, SUBGROUP, TestService, TestUser, partnerUser, startService, testClock } from './support/app';
import { seededRandom } from './support/projection-checks';

const TODAY = '2026-06-15';
const PARTNERS = ['county-council', 'icb', 'police'];
const OUTCOMES = ['raised', 'assigned', 'evidenced', 'accepted', 'closed', 'withdrawn', 'rejected', 'reopened'] as const;

type Modelled = {
  id: string;
  reviewId: string;
  recommendationId: string;
  themes: string[];
  partnerId?: string;
  dueDate?: string;
  status: string;
  /** For an evidenced action: whether any of its evidence is accepted yet. */
  accepted?: boolean;
};

const counts = (actions: Modelled[]) => {
  const outstanding = actions.filter((a) => a.status !== 'closed' && a.status !== 'withdrawn');
  return {
    outstanding: outstanding.length,
    overdue: outstanding.filter((a) => a.dueDate !== undefined && a.dueDate < TODAY).length,
    evidenced: actions.filter((a) => a.status === 'evidenced').length,
    awaitingAssurance: actions.filter((a) => a.status === 'evidenced' && !a.accepted).length,
    readyToClose: actions.filter((a) => a.status === 'evidenced' && a.accepted).length,
    extensionsPending: 0,
    impactChecksDue: 0,
    impactChecksOverdue: 0,
    closed: actions.filter((a) => a.status === 'closed').length,
    withdrawn: actions.filter((a) => a.status === 'withdrawn').length,
    unassigned: actions.filter((a) => a.status === 'raised').length,
    total: actions.length,
  };
};

const ids = (actions: Modelled[]) => actions.map((a) => a.id).sort();

describe('reads from the read models, over HTTP', () => {
  let service: TestService;
  const model: Modelled[] = [];
  const reviews: { id: string; reference: string; recommendations: { id: string; themes: string[] }[] }[] = [];

  const ok = async (method: string, path: string, body?: object, as: TestUser = SUBGROUP) => {
    const answer = await service.request(method, path, { as, body });
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  beforeAll(async () => {
    // The plan is made at the start of the year, with due dates ahead; it is read in June, when some have passed.
    const clock = testClock('2026-01-01T12:00:00Z');
    service = await startService({ clock, env: { ACTION_TALLY_EVERY: '5' } });
    for (const id of PARTNERS) await service.request('POST', '/partners', { as: ADMIN, body: { id, name: `The ${id}` } });
    const themeSets = [['neglect'], ['exploitation', 'information sharing'], ['pre-birth assessment'], ['neglect', 'neurodiversity']];
    for (const [index, reference] of ['CSPR-01', 'RR-02'].entries()) {
      const review = await ok('POST', '/reviews', { reference, title: `Review ${reference}`, kind: index === 0 ? 'cspr' : 'rapid-review' });
      const recommendations = [];
      for (const themes of themeSets.slice(index * 2, index * 2 + 2)) {
        recommendations.push({
          id: (await ok('POST', `/reviews/${review.id}/recommendations`, { text: `About ${themes}`, themes })).id,
          themes,
        });
      }
      reviews.push({ id: review.id, reference, recommendations });
    }

    const next = seededRandom(42);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
    for (let i = 0; i < 40; i++) {
      const review = pick(reviews);
      const recommendation = pick(review.recommendations);
      const { id } = await ok('POST', '/actions', { recommendationId: recommendation.id, description: `Action ${i}` });
      const action: Modelled = {
        id,
        reviewId: review.id,
        recommendationId: recommendation.id,
        themes: recommendation.themes,
        status: 'raised',
      };
      model.push(action);
      const outcome = pick(OUTCOMES);
      if (outcome === 'raised') continue;
      action.partnerId = pick(PARTNERS);
      action.dueDate = `2026-${String(3 + Math.floor(next() * 8)).padStart(2, '0')}-${String(1 + Math.floor(next() * 28)).padStart(2, '0')}`;
      await ok('POST', `/actions/${id}/assign`, { partnerId: action.partnerId, dueDate: action.dueDate, lead: 'Head of Service' });
      action.status = 'assigned';
      if (outcome === 'assigned') continue;
      if (outcome === 'withdrawn') {
        await ok('POST', `/actions/${id}/withdraw`, { reason: 'Superseded by a national change' });
        action.status = 'withdrawn';
        continue;
      }
      if (outcome === 'reopened') {
        await ok('POST', `/actions/${id}/close`, { outcome: 'superseded', rationale: 'Overtaken' });
        await ok('POST', `/actions/${id}/reopen`, { reason: 'Not overtaken after all' });
        continue;
      }
      // The owning agency's lead evidences its action; the subgroup decides (nobody assures their own work).
      const evidence = await ok('POST', `/actions/${id}/evidence`, { summary: 'Audit of 20 cases' }, partnerUser(action.partnerId));
      const evidenceId = (await service.request('GET', `/actions/${id}`, { as: SUBGROUP })).body.evidence[0].id;
      action.status = 'evidenced';
      expect(evidence.version).toBe(3);
      if (outcome === 'rejected') {
        await ok('POST', `/actions/${id}/evidence/${evidenceId}/reject`, { reason: 'Shows activity, not impact' });
        action.status = 'assigned';
        continue;
      }
      if (outcome === 'evidenced') continue;
      await ok('POST', `/actions/${id}/evidence/${evidenceId}/accept`, {});
      action.accepted = true;
      if (outcome === 'accepted') continue;
      await ok('POST', `/actions/${id}/close`, { outcome: 'impact-evidenced', rationale: 'Audit shows the change' });
      action.status = 'closed';
    }
    clock.set(`${TODAY}T12:00:00Z`);
  }, 120_000);
  afterAll(() => service.close());

  const listAll = async (query: string, as = SUBGROUP) => {
    const found: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await service.request('GET', `/actions?${query}&limit=7${cursor ? `&cursor=${cursor}` : ''}`, { as });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(7);
      found.push(...page.body.items.map((item: { id: string }) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    return found;
  };

  it('covers every state the test meant to produce', () => {
    expect(new Set(model.map((a) => a.status))).toEqual(new Set(['raised', 'assigned', 'evidenced', 'closed', 'withdrawn']));
    expect(counts(model).overdue).toBeGreaterThan(0);
  });

  it('pages through every action exactly once, in the order they were raised', async () => {
    expect(await listAll('')).toEqual(model.map((a) => a.id));
  });

  it.each([
    ['partner=police', (a: Modelled) => a.partnerId === 'police'],
    ['status=outstanding', (a: Modelled) => a.status !== 'closed' && a.status !== 'withdrawn'],
    ['status=evidenced', (a: Modelled) => a.status === 'evidenced'],
    ['status=raised', (a: Modelled) => a.status === 'raised'],
    ['status=closed', (a: Modelled) => a.status === 'closed'],
    ['overdue=true', (a: Modelled) => a.status !== 'closed' && a.status !== 'withdrawn' && !!a.dueDate && a.dueDate < TODAY],
    ['overdue=false', (a: Modelled) => !(a.status !== 'closed' && a.status !== 'withdrawn' && !!a.dueDate && a.dueDate < TODAY)],
    ['assurance=awaiting', (a: Modelled) => a.status === 'evidenced' && !a.accepted],
    ['assurance=accepted', (a: Modelled) => a.status === 'evidenced' && !!a.accepted],
    ['theme=neglect', (a: Modelled) => a.themes.includes('neglect')],
    ['theme=%20NEGLECT%20', (a: Modelled) => a.themes.includes('neglect')],
    ['theme=information%20sharing', (a: Modelled) => a.themes.includes('information sharing')],
    [
      'partner=icb&status=outstanding&overdue=true',
      (a: Modelled) => a.partnerId === 'icb' && a.status !== 'closed' && a.status !== 'withdrawn' && !!a.dueDate && a.dueDate < TODAY,
    ],
  ])('filters by %s', async (query, keep) => {
    expect((await listAll(query)).sort()).toEqual(ids(model.filter(keep)));
  });

  it('counts what the filters find in total, on every page', async () => {
    for (const [query, keep] of [
      ['', () => true],
      ['status=outstanding', (a: Modelled) => a.status !== 'closed' && a.status !== 'withdrawn'],
      ['partner=icb', (a: Modelled) => a.partnerId === 'icb'],
    ] as const) {
      const first = await service.request('GET', `/actions?${query}&limit=3`, { as: SUBGROUP });
      expect({ query, total: first.body.total }).toEqual({ query, total: model.filter(keep).length });
      const second = await service.request('GET', `/actions?${query}&limit=3&cursor=${first.body.nextCursor}`, { as: SUBGROUP });
      expect(second.body.total).toBe(first.body.total);
    }
  });

  it.each([
    ['dueDate', (a: Modelled, b: Modelled) => (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999')],
    ['-dueDate', (a: Modelled, b: Modelled) => (b.dueDate ?? '0000').localeCompare(a.dueDate ?? '0000')],
  ])('sorts by %s, no date last, and pages through every action once', async (sort, compare) => {
    const listed = await listAll(`sort=${sort}`);
    expect([...listed].sort()).toEqual(ids(model));
    const byId = new Map(model.map((action) => [action.id, action]));
    const dates = listed.map((id) => byId.get(id)!);
    expect(dates.map((a) => a.dueDate ?? null)).toEqual([...dates].sort(compare).map((a) => a.dueDate ?? null));
  });

  it.each(['', 'sort=dueDate', 'sort=-updatedAt&status=outstanding'])(
    'pages back with previousCursor through the same pages as forward (%s)',
    async (query) => {
      type Page = { items: { id: string }[]; nextCursor: string | null; previousCursor: string | null };
      const read = async (cursor?: string): Promise<Page> =>
        (await service.request('GET', `/actions?${query}&limit=7${cursor ? `&cursor=${cursor}` : ''}`, { as: SUBGROUP })).body;
      const forward: Page[] = [await read()];
      expect(forward[0].previousCursor).toBeNull();
      while (forward.at(-1)!.nextCursor) forward.push(await read(forward.at(-1)!.nextCursor!));
      expect(forward.length).toBeGreaterThan(2);
      const backward: Page[] = [forward.at(-1)!];
      while (backward.at(-1)!.previousCursor) backward.push(await read(backward.at(-1)!.previousCursor!));
      const idsOf = (pages: Page[]) => pages.map((page) => page.items.map((item) => item.id));
      expect(idsOf(backward).reverse()).toEqual(idsOf(forward));
      // The first page reached going back knows it is first, and the way forward from it.
      expect(backward.at(-1)!.previousCursor).toBeNull();
      expect((await read(backward.at(-1)!.nextCursor!)).items).toEqual(forward[1].items);
    },
  );

  it('sorts by last change, latest first, and pages through every action once', async () => {
    const listed = await listAll('sort=-updatedAt');
    expect([...listed].sort()).toEqual(ids(model));
    const page = (await service.request('GET', '/actions?sort=-updatedAt&limit=500', { as: SUBGROUP })).body.items;
    const changed = page.map((item: { updatedAt: string }) => item.updatedAt);
    expect(changed).toEqual([...changed].sort().reverse());
  });

  it('finds outstanding actions due within so many days', async () => {
    const end = '2026-07-15';
    const due = (a: Modelled) => a.status !== 'closed' && a.status !== 'withdrawn' && !!a.dueDate && a.dueDate >= TODAY && a.dueDate <= end;
    expect((await listAll('dueWithin=30')).sort()).toEqual(ids(model.filter(due)));
  });

  it('searches the words of the review an action answers, and of the action itself', async () => {
    const review = reviews[1];
    expect((await listAll(`q=${encodeURIComponent(review.reference)}`)).sort()).toEqual(ids(model.filter((a) => a.reviewId === review.id)));
    const one = model[7];
    expect(await listAll(`q=${encodeURIComponent(`"Action ${7}"`)}`)).toEqual([one.id]);
    expect(await listAll('q=nothing-like-this-anywhere')).toEqual([]);
    const partner = one.partnerId ?? 'police';
    const asPartner = await listAll(`q=${encodeURIComponent(review.reference)}`, partnerUser(partner));
    expect(asPartner.sort()).toEqual(ids(model.filter((a) => a.reviewId === review.id && a.partnerId === partner)));
  });

  it('filters by review', async () => {
    for (const review of reviews)
      expect((await listAll(`review=${review.id}`)).sort()).toEqual(ids(model.filter((a) => a.reviewId === review.id)));
  });

  it('shows a partner agency only its own actions, and refuses to list another agency’s', async () => {
    for (const partner of PARTNERS) {
      expect((await listAll('', partnerUser(partner))).sort()).toEqual(ids(model.filter((a) => a.partnerId === partner)));
    }
    const other = await service.request('GET', '/actions?partner=icb', { as: partnerUser('police') });
    expect(other).toMatchObject({ status: 403, body: { code: 'not-your-partner' } });
    expect((await service.request('GET', '/assurance', { as: partnerUser('police') })).status).toBe(403);
  });

  it('answers each review with its recommendations and action counts', async () => {
    const all = await service.request('GET', '/reviews', { as: CHAIR });
    expect(all.status).toBe(200);
    expect(all.body.map((r: { reference: string }) => r.reference)).toEqual(['CSPR-01', 'RR-02']);
    for (const review of reviews) {
      const one = await service.request('GET', `/reviews/${review.id}`, { as: AUDITOR });
      expect(one.status).toBe(200);
      expect(one.body.actions).toEqual(counts(model.filter((a) => a.reviewId === review.id)));
      expect(one.body.recommendations.map((r: { id: string }) => r.id)).toEqual(review.recommendations.map((r) => r.id));
      for (const recommendation of one.body.recommendations) {
        expect(recommendation.actions).toEqual(counts(model.filter((a) => a.recommendationId === recommendation.id)));
      }
      expect(all.body.find((r: { id: string }) => r.id === review.id)).toEqual(one.body);
    }
    expect(await service.request('GET', '/reviews/no-such-review', { as: CHAIR })).toMatchObject({
      status: 404,
      body: { code: 'review-not-found' },
    });
  });

  it('shows a partner lead only the reviews its agency has an action in, counting only its own actions', async () => {
    for (const partner of PARTNERS) {
      const mine = model.filter((action) => action.partnerId === partner);
      const answer = await service.request('GET', '/reviews', { as: partnerUser(partner) });
      expect(answer.status).toBe(200);
      const shown = answer.body as { id: string; actions: { total: number } }[];
      expect(shown.map((review) => review.id).sort()).toEqual([...new Set(mine.map((action) => action.reviewId))].sort());
      for (const review of shown) expect(review.actions.total).toBe(mine.filter((action) => action.reviewId === review.id).length);
      const notMine = reviews.find((review) => !mine.some((action) => action.reviewId === review.id));
      if (notMine) expect((await service.request('GET', `/reviews/${notMine.id}`, { as: partnerUser(partner) })).status).toBe(403);
      if (shown[0]) expect((await service.request('GET', `/reviews/${shown[0].id}`, { as: partnerUser(partner) })).status).toBe(200);
    }
    expect((await service.request('GET', '/reviews/no-such-review', { as: partnerUser(PARTNERS[0]) })).status).toBe(404);
  });

  it('gives the assurance picture per partner, in total, per theme and per review', async () => {
    const answer = await service.request('GET', '/assurance', { as: CHAIR });
    expect(answer.status).toBe(200);
    expect(answer.body.today).toBe(TODAY);
    expect(answer.body.totals).toEqual(counts(model));
    // Red when a quarter or more of the outstanding actions are overdue, amber when any is, green when none is.
    const rag = ({ outstanding, overdue }: { outstanding: number; overdue: number }) =>
      overdue > 0 && overdue * 4 >= outstanding ? 'red' : overdue > 0 ? 'amber' : 'green';
    expect(answer.body.partners).toEqual(
      PARTNERS.map((partnerId) => {
        const owned = counts(model.filter((a) => a.partnerId === partnerId));
        // No evidence is withdrawn in this model: no closed action's assurance is stale.
        return { partnerId, name: `The ${partnerId}`, ...owned, rag: rag(owned), assuranceStale: 0 };
      }),
    );
    const themes = [...new Set(model.flatMap((a) => a.themes))].sort();
    expect(answer.body.themes).toEqual(themes.map((theme) => ({ theme, ...counts(model.filter((a) => a.themes.includes(theme))) })));
    expect(answer.body.reviews).toEqual(
      reviews.map((r) => ({
        reviewId: r.id,
        reference: r.reference,
        title: `Review ${r.reference}`,
        ...counts(model.filter((a) => a.reviewId === r.id)),
      })),
    );
    expect(Number(answer.body.position)).toBe(await service.headPosition());
  });

  it('lists the partners from their read model', async () => {
    expect((await service.request('GET', '/partners', { as: partnerUser('police') })).body.map((p: { id: string }) => p.id).sort()).toEqual(
      PARTNERS,
    );
  });

  it('refuses bad query parameters with the field at fault', async () => {
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['limit=ten', 'limit'],
      ['status=done', 'status'],
      ['overdue=yes', 'overdue'],
      ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
      ['colour=red', 'colour'],
      ['position=-1', 'position'],
    ]) {
      const answer = await service.request('GET', `/actions?${query}`, { as: SUBGROUP, readYourWrites: false });
      expect(answer.status).toBe(400);
      expect(answer.body.errors.map((error: { field: string }) => error.field)).toContain(field);
    }
  });
});

describe('read your writes', () => {
  let service: TestService;
  beforeAll(async () => (service = await startService()));
  afterAll(() => service.close());

  it('shows each write on the first read that passes its position', async () => {
    const partner = await service.request('POST', '/partners', { as: ADMIN, body: { id: 'police', name: 'Police' } });
    expect(
      (await service.request('GET', `/partners?position=${partner.body.position}`, { as: CHAIR, readYourWrites: false })).body,
    ).toEqual([{ id: 'police', name: 'Police' }]);
    const review = await service.request('POST', '/reviews', { as: SUBGROUP, body: { reference: 'R', title: 'T', kind: 'cspr' } });
    const recommendation = await service.request('POST', `/reviews/${review.body.id}/recommendations`, {
      as: SUBGROUP,
      body: { text: 'Do better' },
    });
    const action = await service.request('POST', '/actions', {
      as: SUBGROUP,
      body: { recommendationId: recommendation.body.id, description: 'A' },
    });
    for (let i = 0; i < 20; i++) {
      const write = await service.request('POST', `/actions/${action.body.id}/${i % 2 ? 'progress' : 'assign'}`, {
        as: SUBGROUP,
        body:
          i % 2
            ? { note: `note ${i}` }
            : { partnerId: 'police', dueDate: `2027-01-${String(i + 1).padStart(2, '0')}`, reason: 'Agreed at the subgroup' },
      });
      const read = await service.request('GET', `/actions/${action.body.id}?position=${write.body.position}`, {
        as: SUBGROUP,
        readYourWrites: false,
      });
      expect(read.body.version).toBe(write.body.version);
      expect(read.headers.get('etag')).toBe(`"${write.body.version}"`);
    }
  });

  it('answers 503 when the read models do not reach the position within 5 s', async () => {
    const started = Date.now();
    const answer = await service.request('GET', '/assurance?position=999999999', { as: CHAIR, readYourWrites: false });
    expect(answer).toMatchObject({ status: 503, body: { code: 'read-model-behind' } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
  });
});
