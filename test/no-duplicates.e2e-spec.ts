import { ADMIN, SUBGROUP, TestService, partnerUser, startService, webSessionCookie } from './support/app';

describe('one review to a reference and one agency to a name, as people tell them apart', () => {
  let service: TestService;

  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.close());

  const register = (reference: string) =>
    service.request('POST', '/reviews', { as: SUBGROUP, body: { reference, title: 'Child S', kind: 'cspr' } });

  it('refuses a second review with a reference already used, whatever its letter case and spaces, registered or corrected', async () => {
    const first = await register('CSPR-2026-01');
    expect(first.status).toBe(201);
    const head = await service.headPosition();
    for (const reference of ['CSPR-2026-01', ' cspr-2026-01 ']) {
      const again = await register(reference);
      expect({ reference, status: again.status, code: again.body.code }).toEqual({
        reference,
        status: 409,
        code: 'review-reference-taken',
      });
      expect(again.body.detail).toContain('CSPR-2026-01');
    }
    const other = await register('CSPR-2026-02');
    expect(other.status).toBe(201);
    const corrected = await service.request('POST', `/reviews/${other.body.id}/correct`, {
      as: SUBGROUP,
      body: { reference: 'Cspr-2026-01', reason: 'Typed from the wrong minutes' },
    });
    expect([corrected.status, corrected.body.code]).toEqual([409, 'review-reference-taken']);
    expect(await service.headPosition()).toBe(head + 1);
    // A review keeps its own reference through a correction of its other fields, or of its reference's case.
    const own = await service.request('POST', `/reviews/${first.body.id}/correct`, {
      as: SUBGROUP,
      body: { reference: 'cspr-2026-01', title: 'Child S: neglect', reason: 'Title as published', publishedOn: '2026-11-02' },
    });
    expect(own.status).toBe(200);
    // The review's history keeps what it said before, and its page tells it in words.
    const history = await service.request('GET', `/reviews/${first.body.id}/history`, { as: SUBGROUP });
    expect(history.body.map((entry: { type: string }) => entry.type)).toEqual(['ReviewRegistered', 'ReviewCorrected']);
    expect(history.body[1].data).toMatchObject({
      corrected: { title: 'Child S: neglect', publishedOn: '2026-11-02' },
      previous: { title: 'Child S' },
    });
    expect((await service.request('GET', `/reviews/${first.body.id}/history`, { as: partnerUser('police') })).status).toBe(403);
    const cookie = await webSessionCookie(service, 'demo-subgroup');
    const page = (await (await fetch(`${service.url}/learning-reviews/${first.body.id}`, { headers: { cookie } })).text()).replace(
      /\s+/g,
      ' ',
    );
    expect(page).toContain('the date published from nothing to “2 November 2026”');
    expect(page).toContain('the title from “Child S” to “Child S: neglect”');
  });

  it('refuses a second agency of a name already used, registered or renamed, and lets an agency respell its own', async () => {
    const first = await service.request('POST', '/partners', {
      as: ADMIN,
      body: { id: 'thames-valley-police', name: 'Thames Valley Police' },
    });
    expect(first.status).toBe(201);
    const twin = await service.request('POST', '/partners', { as: ADMIN, body: { id: 'tvp', name: 'thames valley police ' } });
    expect([twin.status, twin.body.code]).toEqual([409, 'partner-name-taken']);
    expect(twin.body.detail).toContain('Thames Valley Police');
    const other = await service.request('POST', '/partners', { as: ADMIN, body: { id: 'hampshire-police', name: 'Hampshire Police' } });
    expect(other.status).toBe(201);
    const renamed = await service.request('POST', '/partners/hampshire-police/name', { as: ADMIN, body: { name: 'Thames Valley Police' } });
    expect([renamed.status, renamed.body.code]).toEqual([409, 'partner-name-taken']);
    const ownCase = await service.request('POST', '/partners/thames-valley-police/name', {
      as: ADMIN,
      body: { name: 'Thames Valley police' },
    });
    expect(ownCase.status).toBe(200);
    const names = ((await service.request('GET', '/partners', { as: ADMIN })).body as { name: string }[]).map((partner) => partner.name);
    expect(names.sort()).toEqual(['Hampshire Police', 'Thames Valley police']);
  });

  it('says so on the pages as GOV.UK does: in the error summary, and beside the field, with what was typed kept', async () => {
    const post = async (user: string, path: string, fields: Record<string, string>) => {
      const cookie = await webSessionCookie(service, user);
      const form = await (await fetch(`${service.url}${path}`, { headers: { cookie } })).text();
      const _csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1];
      const answer = await fetch(`${service.url}${path}`, {
        method: 'POST',
        headers: { cookie },
        body: new URLSearchParams({ _csrf, ...fields }),
        redirect: 'manual',
      });
      return { status: answer.status, page: await answer.text() };
    };
    const agency = await post('demo-admin', '/admin/partners', { name: ' THAMES VALLEY POLICE', id: '' });
    expect(agency.status).toBe(409);
    expect(agency.page).toMatch(/govuk-error-summary[^]*href="#partner-name"[^]*already registered as &#39;thames-valley-police&#39;/);
    expect(agency.page).toMatch(/id="partner-name-error"[^]*already registered/);
    expect(agency.page).toContain('value=" THAMES VALLEY POLICE"');
    const renamed = await post('demo-admin', '/admin/partners/hampshire-police', { name: 'Thames Valley Police', email: '' });
    expect(renamed.status).toBe(409);
    expect(renamed.page).toMatch(/href="#name"[^]*id="name-error"/);
    const review = await post('demo-subgroup', '/learning-reviews', { reference: 'cspr-2026-01', title: 'Child T', kind: 'cspr' });
    expect(review.status).toBe(409);
    expect(review.page).toMatch(/id="review-reference-error"[^]*Another review already has the reference/);
    // The empty agency form asks for the name, and not for the short name it would make from it.
    const empty = await post('demo-admin', '/admin/partners', { name: '', id: '' });
    expect(empty.status).toBe(400);
    expect(empty.page).toContain('href="#partner-name"');
    expect(empty.page).not.toContain('href="#partner-id"');
  });
});
