import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { WEB_CONTROLLERS } from '../apps/api/src/web/web.controllers';
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
  webSessionCookie,
} from './support/app';
import { OpenApiDocument, answerChecker } from './support/openapi';

/**
 * Who may call what, as the contract's role table says: `owner` is a partner lead of the agency
 * that owns the action, `other` a partner lead of another agency. Every route of the service must
 * be here, and nothing that is not a route.
 */
const READERS = ['admin', 'subgroup', 'chair', 'auditor'];
const PARTNERSHIP = ['admin', 'subgroup'];
const EVERY_ROLE = [...READERS, 'owner', 'other'];

const API: Record<string, string[] | 'public'> = {
  'GET /health': 'public',
  'GET /health/ready': 'public',
  'GET /metrics': READERS,
  'POST /partners': ['admin'],
  'GET /partners': EVERY_ROLE,
  'POST /partners/{id}/mailbox': ['admin'],
  'POST /partners/{id}/name': ['admin'],
  'GET /notifications': PARTNERSHIP,
  'GET /quarantine': ['admin', 'auditor'],
  'GET /reviews': EVERY_ROLE,
  'POST /reviews': PARTNERSHIP,
  'GET /reviews/{id}': [...READERS, 'owner'],
  'GET /reviews/{id}/history': READERS,
  'POST /reviews/{id}/recommendations': PARTNERSHIP,
  'POST /reviews/{id}/correct': PARTNERSHIP,
  'POST /reviews/{id}/recommendations/{recommendationId}/correct': PARTNERSHIP,
  'POST /actions': PARTNERSHIP,
  'GET /actions': EVERY_ROLE,
  'GET /actions/{id}': [...READERS, 'owner'],
  'GET /actions/{id}/history': [...READERS, 'owner'],
  'POST /actions/{id}/assign': PARTNERSHIP,
  'POST /actions/{id}/due-date': PARTNERSHIP,
  'POST /actions/{id}/progress': [...PARTNERSHIP, 'owner'],
  'POST /actions/{id}/evidence': [...PARTNERSHIP, 'owner'],
  'POST /actions/{id}/evidence/{evidenceId}/accept': PARTNERSHIP,
  'POST /actions/{id}/evidence/{evidenceId}/reject': PARTNERSHIP,
  'POST /actions/{id}/evidence/{evidenceId}/withdraw': [...PARTNERSHIP, 'owner'],
  'POST /actions/{id}/reassure': PARTNERSHIP,
  'POST /actions/{id}/extension-requests': [...PARTNERSHIP, 'owner'],
  'POST /actions/{id}/extension-requests/{requestId}/approve': PARTNERSHIP,
  'POST /actions/{id}/extension-requests/{requestId}/refuse': PARTNERSHIP,
  'POST /actions/{id}/close': PARTNERSHIP,
  'POST /actions/{id}/reopen': PARTNERSHIP,
  'POST /actions/{id}/withdraw': PARTNERSHIP,
  'POST /actions/{id}/impact': PARTNERSHIP,
  'POST /actions/{id}/correct': PARTNERSHIP,
  'GET /assurance': READERS,
  'GET /changes': READERS,
  'GET /reports/yearly': READERS,
  'GET /reports/trends': READERS,
  'POST /imports': PARTNERSHIP,
  'GET /imports/template.xlsx': PARTNERSHIP,
  'GET /audit/events': ['auditor'],
  'GET /audit/verify': ['auditor'],
  'GET /audit/checkpoints': ['auditor'],
  'GET /audit/public-key': READERS,
};

/** A body each endpoint accepts, so that what stops a caller is who they are, not what they sent. */
const BODIES: Record<string, (ids: Ids) => object> = {
  'POST /partners': () => ({ id: `p-${Math.random().toString(36).slice(2, 10)}`, name: 'A partner' }),
  'POST /partners/{id}/mailbox': () => ({ email: 'safeguarding.actions@police.example' }),
  'POST /partners/{id}/name': () => ({ name: 'Thames Valley Police' }),
  'POST /reviews': () => ({ reference: `R-${Math.random()}`, title: 'A review', kind: 'cspr' }),
  'POST /reviews/{id}/recommendations': () => ({ text: 'A recommendation' }),
  'POST /actions': (ids) => ({ recommendationId: ids.recommendationId, description: 'An action' }),
  'POST /actions/{id}/assign': () => ({ partnerId: 'police', dueDate: '2099-01-31' }),
  'POST /actions/{id}/due-date': () => ({ dueDate: '2099-02-28', reason: 'Agreed at the subgroup' }),
  'POST /actions/{id}/progress': () => ({ note: 'Going well' }),
  'POST /actions/{id}/evidence': () => ({ summary: 'Audit of 30 cases' }),
  'POST /actions/{id}/evidence/{evidenceId}/accept': () => ({}),
  'POST /actions/{id}/evidence/{evidenceId}/reject': () => ({ reason: 'Not enough' }),
  'POST /actions/{id}/evidence/{evidenceId}/withdraw': () => ({ reason: 'Wrong sample' }),
  'POST /actions/{id}/reassure': () => ({ note: 'Checked again' }),
  'POST /reviews/{id}/correct': () => ({ reason: 'Typo', title: 'A corrected review' }),
  'POST /reviews/{id}/recommendations/{recommendationId}/correct': () => ({ reason: 'Typo', text: 'A corrected recommendation' }),
  'POST /actions/{id}/extension-requests': () => ({ dueDate: '2099-06-30', reason: 'The new system is late' }),
  'POST /actions/{id}/extension-requests/{requestId}/approve': () => ({}),
  'POST /actions/{id}/extension-requests/{requestId}/refuse': () => ({ reason: 'Statutory date' }),
  'POST /actions/{id}/impact': () => ({ result: 'evidenced', note: 'Re-audit' }),
  'POST /actions/{id}/correct': () => ({ reason: 'Typo', description: 'A corrected action' }),
  'POST /actions/{id}/close': () => ({ outcome: 'superseded', rationale: 'Overtaken' }),
  'POST /actions/{id}/reopen': () => ({ reason: 'Again' }),
  'POST /actions/{id}/withdraw': () => ({ reason: 'No longer needed' }),
};

/** Past authentication and authorization: a success, or a validation or state error; never 401 or 403, and never a 5xx. */
const expectLetThrough = (who: string, status: number) =>
  expect({ who, status, refused: status === 401 || status === 403, failed: status >= 500 }).toEqual({
    who,
    status,
    refused: false,
    failed: false,
  });

type Ids = Awaited<ReturnType<typeof seedAction>> & { evidenceId: string; requestId: string };

const USERS: Record<string, TestUser> = {
  admin: ADMIN,
  subgroup: SUBGROUP,
  chair: CHAIR,
  auditor: AUDITOR,
  owner: partnerUser('police'),
  other: partnerUser('health'),
};

describe('the role × endpoint matrix, for every route the OpenAPI document lists', () => {
  let service: TestService;
  let ids: Ids;
  let operations: { key: string; method: string; path: string; description?: string }[];
  let checkAnswer: ReturnType<typeof answerChecker>;

  beforeAll(async () => {
    service = await startService();
    const seeded = await seedAction(service, ['police', 'health']);
    await service.request('POST', `/actions/${seeded.actionId}/assign`, {
      as: SUBGROUP,
      body: { partnerId: 'police', dueDate: '2099-01-31' },
    });
    const evidence = await service.request('POST', `/actions/${seeded.actionId}/evidence`, {
      as: partnerUser('police'),
      body: { summary: 'e' },
    });
    const extension = await service.request('POST', `/actions/${seeded.actionId}/extension-requests`, {
      as: partnerUser('police'),
      body: { dueDate: '2099-03-31', reason: 'The audit needs another quarter' },
    });
    ids = { ...seeded, evidenceId: evidence.body.id, requestId: extension.body.id };
    const docs = (await service.request('GET', '/docs-json')).body as OpenApiDocument & {
      paths: Record<string, Record<string, { description?: string }>>;
    };
    checkAnswer = answerChecker(docs);
    operations = Object.entries(docs.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        description: operation.description,
      })),
    );
  });
  afterAll(() => service.close());

  const concrete = (path: string) =>
    path
      .replace('{id}', path.startsWith('/reviews') ? ids.reviewId : path.startsWith('/partners') ? 'police' : ids.actionId)
      .replace('{evidenceId}', ids.evidenceId)
      .replace('{requestId}', ids.requestId)
      .replace('{recommendationId}', ids.recommendationId);

  it('has a row for every operation, and documents the roles the row gives', () => {
    expect(operations.map((operation) => operation.key).sort()).toEqual(Object.keys(API).sort());
    for (const { key, description } of operations) {
      const allowed = API[key];
      if (allowed === 'public') continue;
      const roles = [...new Set(allowed.map((who) => (who === 'owner' || who === 'other' ? 'partner' : who)))].sort();
      expect({
        key,
        roles: (description ?? '')
          .replace(/^Roles: |\.$/g, '')
          .split(', ')
          .sort(),
      }).toEqual({ key, roles });
    }
  });

  it.each(Object.keys(API))('%s: 401 without a token, 403 for every role it does not name, neither for those it does', async (key) => {
    const { method, path } = operations.find((operation) => operation.key === key)!;
    const allowed = API[key];
    const anonymous = await service.request(method, concrete(path), { body: BODIES[key]?.(ids) });
    expect({ who: 'no token', status: anonymous.status }).toEqual({ who: 'no token', status: allowed === 'public' ? 200 : 401 });
    // Every answer as the OpenAPI document says it, as a strict client generated from it would take it.
    const undocumented = [{ who: 'no token', answer: anonymous }];
    if (allowed !== 'public') {
      for (const [who, user] of Object.entries(USERS)) {
        const answer = await service.request(method, concrete(path), { as: user, body: BODIES[key]?.(ids) });
        if (allowed.includes(who)) expectLetThrough(who, answer.status);
        else expect({ who, status: answer.status }).toEqual({ who, status: 403 });
        undocumented.push({ who, answer });
      }
    }
    expect(
      undocumented.flatMap(({ who, answer }) => {
        const wrong = checkAnswer(method, path, answer);
        return wrong ? [`${who}: ${answer.status}: ${wrong}`] : [];
      }),
    ).toEqual([]);
  });
});

/** Which signed-in users each page lets in, as the contract's role table says for what the page shows or does. */
const PAGES: Record<string, string[] | 'public'> = {
  'GET /': 'public',
  'GET /sign-in': 'public',
  'POST /sign-in': 'public',
  'GET /sign-in/oidc': 'public',
  'GET /sign-in/callback': 'public',
  'POST /sign-out': 'public',
  'GET /start': EVERY_ROLE,
  'GET /dashboard': READERS,
  'GET /what-changed': READERS,
  'GET /tracker': EVERY_ROLE,
  'GET /tracker/:id': [...READERS, 'owner'],
  'GET /tracker/:id/:operation': EVERY_ROLE,
  'POST /tracker/:id/:operation': EVERY_ROLE,
  'GET /learning-reviews': EVERY_ROLE,
  'POST /learning-reviews': PARTNERSHIP,
  'GET /learning-reviews/:id': [...READERS, 'owner'],
  'POST /learning-reviews/:id/recommendations': PARTNERSHIP,
  'POST /learning-reviews/:id/actions': PARTNERSHIP,
  'POST /learning-reviews/:id/correct': PARTNERSHIP,
  'POST /learning-reviews/:id/recommendations/:recommendationId/correct': PARTNERSHIP,
  'GET /audit-trail': ['auditor'],
  'GET /audit-trail/events': ['auditor'],
  'GET /audit-trail/export.ndjson': ['auditor'],
  'GET /download/actions/:format': EVERY_ROLE,
  'GET /download/reviews/:format': EVERY_ROLE,
  'GET /download/assurance/:format': READERS,
  'GET /download/changes/:format': READERS,
  'GET /download/yearly-report/:format': READERS,
  'GET /yearly-report': READERS,
  'GET /board-pack': READERS,
  'GET /import': PARTNERSHIP,
  'GET /import/template.xlsx': PARTNERSHIP,
  'POST /import/check': PARTNERSHIP,
  'POST /import/confirm': PARTNERSHIP,
  'GET /admin/partners': ['admin'],
  'POST /admin/partners': ['admin'],
  'GET /admin/partners/:id': ['admin'],
  'POST /admin/partners/:id': ['admin'],
  'GET /admin/mail': PARTNERSHIP,
  'GET /admin/quarantine': ['admin', 'auditor'],
};

/** Each page operation on an action, and who may make it: the API's rule for the same change. */
const PAGE_OPERATIONS: Record<string, string[]> = {
  assign: PARTNERSHIP,
  'due-date': PARTNERSHIP,
  progress: [...PARTNERSHIP, 'owner'],
  evidence: [...PARTNERSHIP, 'owner'],
  accept: PARTNERSHIP,
  reject: PARTNERSHIP,
  'withdraw-evidence': [...PARTNERSHIP, 'owner'],
  reassure: PARTNERSHIP,
  extension: [...PARTNERSHIP, 'owner'],
  'approve-extension': PARTNERSHIP,
  'refuse-extension': PARTNERSHIP,
  close: PARTNERSHIP,
  reopen: PARTNERSHIP,
  withdraw: PARTNERSHIP,
  impact: PARTNERSHIP,
  correct: PARTNERSHIP,
};

/** The pages' routes as the controllers declare them: method and path, from Nest's own metadata. */
function pageRoutes(): string[] {
  return WEB_CONTROLLERS.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '').replace(/^\/|\/$/g, '');
    return Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
      const handler: unknown = (controller.prototype as unknown as Record<string, unknown>)[name];
      const path: unknown = typeof handler === 'function' ? Reflect.getMetadata(PATH_METADATA, handler) : undefined;
      if (name === 'constructor' || typeof handler !== 'function' || path === undefined) return [];
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const full = `/${[base, String(path).replace(/^\/|\/$/g, '')].filter(Boolean).join('/')}`;
      return [`${method} ${full}`];
    });
  });
}

const DEMO_SIGN_IN: Record<string, string> = {
  admin: 'demo-admin',
  subgroup: 'demo-subgroup',
  chair: 'demo-chair',
  auditor: 'demo-auditor',
  owner: 'demo-lead-police',
  other: 'demo-lead-education',
};

describe('the role × page matrix, for every route the page controllers declare', () => {
  let service: TestService;
  let actionId: string;
  let reviewId: string;
  const sessions: Record<string, { cookie: string; csrf: string }> = {};

  beforeAll(async () => {
    service = await startService({ env: { DEMO: 'on' } });
    // The demonstration partnership is loaded as the service starts: read once the read models have all of it.
    type Listed = { id: string; reviewId: string; partnerId: string | null; status: string };
    const actions: Listed[] = (
      await service.request('GET', `/actions?limit=500&position=${await service.headPosition()}`, { as: SUBGROUP })
    ).body.items;
    const owned = actions.find((action) => action.partnerId === 'police' && action.status === 'assigned')!;
    ({ id: actionId, reviewId } = owned);
    // The other agency has no action in that review, so that the review is not theirs either.
    const inTheReview = new Set(actions.filter((action) => action.reviewId === reviewId).map((action) => action.partnerId));
    DEMO_SIGN_IN.other = `demo-lead-${['education', 'integrated-care-board', 'county-council'].find((agency) => !inTheReview.has(agency))}`;
    for (const [who, user] of Object.entries(DEMO_SIGN_IN)) {
      const cookie = await webSessionCookie(service, user);
      const page = await (await fetch(`${service.url}/tracker`, { headers: { cookie } })).text();
      sessions[who] = { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page)![1] };
    }
  }, 60_000);
  afterAll(() => service.close());

  const concrete = (path: string) =>
    path
      .replace(':id', path.startsWith('/learning-reviews') ? reviewId : path.startsWith('/admin/partners') ? 'police' : actionId)
      .replace(':format', 'csv');
  const page = (method: string, path: string, who: string) =>
    fetch(`${service.url}${path}`, {
      method,
      headers: { cookie: sessions[who].cookie },
      body: method === 'POST' ? new URLSearchParams({ _csrf: sessions[who].csrf }) : undefined,
      redirect: 'manual',
    });

  it('has a row for every page route', () => {
    expect(pageRoutes().sort()).toEqual(Object.keys(PAGES).sort());
  });

  it.each(Object.entries(PAGES).filter(([key, allowed]) => allowed !== 'public' && !key.includes(':operation')))(
    '%s: sign-in first without a session, 403 for every role it does not name, neither for those it does',
    async (key, allowed) => {
      const [method, path] = key.split(' ');
      const anonymous = await fetch(`${service.url}${concrete(path)}`, { method, redirect: 'manual' });
      expect(anonymous.status).toBe(303);
      expect(anonymous.headers.get('location')).toMatch(/^\/sign-in\?next=/);
      for (const who of Object.keys(DEMO_SIGN_IN)) {
        const answer = await page(method, concrete(path), who);
        if ((allowed as string[]).includes(who)) expectLetThrough(who, answer.status);
        else expect({ who, status: answer.status }).toEqual({ who, status: 403 });
      }
    },
  );

  it.each(Object.entries(PAGE_OPERATIONS))(
    'GET and POST /tracker/:id/%s: 403 for every role the API would refuse',
    async (operation, allowed) => {
      for (const who of Object.keys(DEMO_SIGN_IN)) {
        for (const method of ['GET', 'POST']) {
          const answer = await page(method, `/tracker/${actionId}/${operation}`, who);
          if (allowed.includes(who)) expectLetThrough(who, answer.status);
          else expect({ who, method, status: answer.status }).toEqual({ who, method, status: 403 });
        }
      }
    },
  );
});
