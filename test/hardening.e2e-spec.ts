import { request as httpRequest } from 'node:http';
import { ADMIN, AUDIT_SIGNING_KEY, DEV_SECRET, SUBGROUP, signToken } from './support/app';
import { TestDatabase, createTestDatabase } from '@app/testing';
import { ServiceProcess, killHard, startServiceProcess } from './support/processes';

type Raw = Readonly<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;

/** One request exactly as written: no client library to tidy the path, the headers or the body on the way. */
function raw(url: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        hostname,
        port,
        method,
        path,
        headers: { ...(body !== undefined && { 'content-length': String(Buffer.byteLength(body)) }), ...headers },
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const JSON_BODY = { 'content-type': 'application/json' };

describe('a service process under hostile requests', () => {
  let database: TestDatabase;
  let service: ServiceProcess;
  let subgroup: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    service = await startServiceProcess({
      DATABASE_URL: database.url,
      AUTH_DEV_SECRET: DEV_SECRET,
      AUDIT_SIGNING_KEY,
      DEMO: 'off',
      RATE_LIMIT_PER_MINUTE: '0',
    });
    subgroup = { authorization: `Bearer ${await signToken(SUBGROUP)}` };
    await raw(
      service.url,
      'POST',
      '/partners',
      { ...JSON_BODY, authorization: `Bearer ${await signToken(ADMIN)}` },
      JSON.stringify({ id: 'police', name: 'Police' }),
    );
  }, 90_000);
  afterAll(async () => {
    await killHard(service.child);
    await database.drop();
  });

  const stillAnswers = async () => expect((await raw(service.url, 'GET', '/health')).status).toBe(200);

  /** Signs in as a demonstration user through the form, and reads the CSRF token its pages carry. */
  async function signedIn(user: string): Promise<{ cookie: string; csrf: string }> {
    const answer = await raw(service.url, 'POST', '/sign-in', FORM, form({ user }));
    const cookie = String(answer.headers['set-cookie']).split(';')[0];
    const page = await raw(service.url, 'GET', '/tracker', { cookie });
    return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)![1] };
  }

  it.each([
    ['a newline', '/\n/evil.example'],
    ['a tab', '/\t/evil.example'],
    ['a character above U+00FF', '/東京'],
    ['a carriage return and a header', '/\r\nSet-Cookie: x=1'],
    ['a protocol-relative address', '//evil.example/'],
    ['a backslash', '/\\evil.example'],
    ['an absolute address', 'https://evil.example/'],
    ['a dot segment before two slashes', '/.//evil.example'],
    ['a line separator', '/\u2028/evil.example'],
  ])('sends a form sign-in with %s in next only to a path of its own, and lives', async (_name, next) => {
    const answer = await raw(service.url, 'POST', '/sign-in', FORM, form({ user: 'demo-chair', next }));
    expect(answer.status).toBe(303);
    const location = String(answer.headers.location);
    expect(new URL(location, service.url).origin).toBe(service.url);
    expect(location).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
    await stillAnswers();
  });

  type Crafted = Readonly<{ method: string; path: string; headers?: Record<string, string>; body?: string; status: number }>;
  const deep = `{"reference":"R","title":${'['.repeat(2000)}${']'.repeat(2000)},"kind":"cspr"}`;
  const cursor = (text: string) => Buffer.from(text).toString('base64url');
  const crafted: Record<string, Crafted> = {
    'JSON nested 2,000 deep': { method: 'POST', path: '/reviews', body: deep, status: 400 },
    'NUL in a path parameter': { method: 'GET', path: '/actions/%00', status: 400 },
    'NUL in a query value': { method: 'GET', path: '/actions?theme=a%00b', status: 400 },
    'NUL in an audit filter': { method: 'GET', path: '/audit/events?actor=%00', status: 400 },
    'a lone surrogate in a body string': {
      method: 'POST',
      path: '/reviews',
      body: '{"reference":"R","title":"a\\ud800b","kind":"cspr"}',
      status: 400,
    },
    'a lone surrogate in a field name': {
      method: 'POST',
      path: '/reviews',
      body: '{"reference":"R","title":"T","kind":"cspr","\\udc00":1}',
      status: 400,
    },
    'an actions cursor above bigint': { method: 'GET', path: `/actions?cursor=${cursor('a9999999999999999999')}`, status: 400 },
    'a cursor holding a date where the order is by position': {
      method: 'GET',
      path: `/actions?cursor=${cursor(JSON.stringify(['2026-01-01', '5']))}`,
      status: 400,
    },
    'a cursor holding a position where the order is by due date': {
      method: 'GET',
      path: `/actions?sort=dueDate&cursor=${cursor(JSON.stringify(['12', '5']))}`,
      status: 400,
    },
    'a cursor holding an object': {
      method: 'GET',
      path: `/actions?sort=-updatedAt&cursor=${cursor(JSON.stringify([{}, '5']))}`,
      status: 400,
    },
    'a position above bigint': { method: 'GET', path: '/actions?position=9999999999999999999', status: 400 },
    'a form media type in capitals': {
      method: 'POST',
      path: '/reviews',
      headers: { 'content-type': 'Application/X-WWW-Form-Urlencoded' },
      body: 'reference=R',
      status: 415,
    },
    'a body field named constructor': {
      method: 'POST',
      path: '/reviews',
      body: '{"reference":"R","title":"T","kind":"cspr","constructor":"x"}',
      status: 400,
    },
    'a body field named hasOwnProperty': {
      method: 'POST',
      path: '/reviews',
      body: '{"reference":"R","title":"T","kind":"cspr","hasOwnProperty":"x"}',
      status: 400,
    },
    'a body field named toString': {
      method: 'POST',
      path: '/reviews',
      body: '{"reference":"R","title":"T","kind":"cspr","toString":"x"}',
      status: 400,
    },
    'a body field named __proto__': {
      method: 'POST',
      path: '/reviews',
      body: '{"reference":"R","title":"T","kind":"cspr","__proto__":{"x":1}}',
      status: 400,
    },
    'a query field named constructor': { method: 'GET', path: '/actions?constructor=x', status: 400 },
    'a query field named toString': { method: 'GET', path: '/reviews?toString=x', status: 400 },
    'a title of zero-width spaces': {
      method: 'POST',
      path: '/reviews',
      body: '{"reference":"R","title":"\\u200b\\u200b","kind":"cspr"}',
      status: 400,
    },
    'a title holding a control character': {
      method: 'POST',
      path: '/reviews',
      body: '{"reference":"R","title":"a\\u0007b","kind":"cspr"}',
      status: 400,
    },
    'a number too large for any field': {
      method: 'POST',
      path: '/reviews',
      body: '{"reference":1e400,"title":"T","kind":"cspr"}',
      status: 400,
    },
    'a URL that does not decode': { method: 'GET', path: '/actions/%E0%A4%A', status: 400 },
    'a path parameter too long': { method: 'GET', path: `/actions/${'a'.repeat(500)}`, status: 414 },
    'headers too large': { method: 'GET', path: '/partners', headers: { 'x-filler': 'a'.repeat(20_000) }, status: 431 },
    'a route that does not exist': { method: 'GET', path: '/nowhere', status: 404 },
  };

  it.each(Object.entries(crafted))(
    'answers %s with a problem, never a 5xx, and lives',
    async (_name, { method, path, headers, body, status }) => {
      const answer = await raw(service.url, method, path, { ...(body !== undefined && JSON_BODY), ...subgroup, ...headers }, body);
      expect(answer.status).toBe(status);
      expect(answer.headers['content-type']).toContain('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ status: answer.status, type: expect.any(String), title: expect.any(String) });
      // The router's and the HTTP parser's own refusals carry every answer's security headers too.
      expect(answer.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'referrer-policy': 'same-origin',
      });
      expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      await stillAnswers();
    },
  );

  it('checks an auditor’s filters the same way', async () => {
    const auditor = { authorization: `Bearer ${await signToken({ roles: ['auditor'] })}` };
    for (const path of ['/audit/events?actor=%00', `/audit/events?cursor=${cursor('e9999999999999999999')}`]) {
      const answer = await raw(service.url, 'GET', path, auditor);
      expect({ path, status: answer.status, type: answer.headers['content-type'] }).toEqual({
        path,
        status: 400,
        type: expect.stringContaining('problem+json'),
      });
    }
  });

  it('says how to authenticate on a 401', async () => {
    const answer = await raw(service.url, 'GET', '/partners');
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect(answer.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses a page form that names an operation every object inherits, or sends a field twice', async () => {
    const { cookie, csrf } = await signedIn('demo-subgroup');
    for (const operation of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const answer = await raw(
        service.url,
        'POST',
        `/tracker/some-action/${operation}`,
        { ...FORM, cookie },
        form({ _csrf: csrf, reason: 'r' }),
      );
      expect({ operation, status: answer.status }).toEqual({ operation, status: 404 });
      await stillAnswers();
    }
    for (const body of ['user=demo-chair&user=demo-admin', `user=demo-chair&next=${encodeURIComponent('/\u0000/evil.example')}`]) {
      const refused = await raw(service.url, 'POST', '/sign-in', FORM, body);
      expect({ body, status: refused.status, cookie: refused.headers['set-cookie'] }).toEqual({ body, status: 400, cookie: undefined });
      await stillAnswers();
    }
  });

  it('sends the security headers, and no-store on everything but the static files', async () => {
    const api = await raw(service.url, 'GET', '/partners', subgroup);
    const { cookie } = await signedIn('demo-chair');
    const page = await raw(service.url, 'GET', '/dashboard', { cookie });
    for (const answer of [api, page]) {
      expect(answer.status).toBe(200);
      expect(answer.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'same-origin',
        'cache-control': 'no-store',
      });
      expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      // Its own scripts, and of inline scripts only the GOV.UK template's, by its hash.
      expect(answer.headers['content-security-policy']).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'(;|$)/);
      expect(answer.headers['content-security-policy']).not.toContain('unsafe-inline');
      // Development: the service is reached over plain HTTP on this machine.
      expect(answer.headers['strict-transport-security']).toBeUndefined();
    }
    // The page's files live at an address named by their content, kept a year.
    const prefix = /href="(\/static\/[0-9a-f]{16})\/web\.css"/.exec(page.body)![1];
    for (const file of ['web.css', 'web.js', 'govuk-frontend.min.css', 'govuk-frontend.min.js']) {
      const asset = await raw(service.url, 'GET', `${prefix}/${file}`);
      expect({ file, status: asset.status, cache: asset.headers['cache-control'] }).toEqual({
        file,
        status: 200,
        cache: 'public, max-age=31536000, immutable',
      });
    }
    expect((await raw(service.url, 'GET', `${prefix}/govuk-frontend.mjs`)).status).toBe(404);
    expect((await raw(service.url, 'GET', '/static/0000000000000000/web.css')).status).toBe(404);
  });

  it('compresses pages, answers and files for a client that takes brotli or gzip, and masks the form token anew on every page', async () => {
    const { cookie, csrf } = await signedIn('demo-subgroup');
    for (const [path, headers, type] of [
      ['/dashboard', { cookie }, 'text/html'],
      ['/docs-json', {}, 'application/json'],
    ] as const) {
      for (const encoding of ['br', 'gzip']) {
        const answer = await fetch(`${service.url}${path}`, { headers: { ...headers, 'accept-encoding': encoding } });
        expect({ path, encoding, status: answer.status, sent: answer.headers.get('content-encoding') }).toEqual({
          path,
          encoding,
          status: 200,
          sent: encoding,
        });
        expect(answer.headers.get('content-type')).toContain(type);
        expect((await answer.text()).length).toBeGreaterThan(1024);
      }
    }
    expect((await raw(service.url, 'GET', '/dashboard', { cookie })).headers['content-encoding']).toBeUndefined();
    const tokens = await Promise.all(
      [1, 2, 3].map(async () => /name="_csrf" value="([^"]+)"/.exec((await raw(service.url, 'GET', '/import', { cookie })).body)![1]),
    );
    expect(new Set([csrf, ...tokens]).size).toBe(4);
  });
});

describe('a service process with production settings', () => {
  let database: TestDatabase;
  let service: ServiceProcess;
  beforeAll(async () => {
    database = await createTestDatabase();
    service = await startServiceProcess({
      DATABASE_URL: database.url,
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks',
      AUTH_ISSUER: 'https://idp.test',
      AUTH_AUDIENCE: 'learning-actions',
      AUDIT_SIGNING_KEY,
    });
  }, 90_000);
  afterAll(async () => {
    await killHard(service.child);
    await database.drop();
  });

  it('loads no demonstration data into a database of its own, and says why', async () => {
    expect(service.output()).toMatch(/no demonstration data: DATABASE_URL is set/);
    expect((await database.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(0);
  });

  it('asks browsers for HTTPS from now on, and offers no development sign-in', async () => {
    const health = await raw(service.url, 'GET', '/health');
    expect(health.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    const signIn = await raw(service.url, 'POST', '/sign-in', FORM, form({ user: 'demo-admin' }));
    expect(signIn.status).toBe(404);
    expect(signIn.headers['set-cookie']).toBeUndefined();
  });
});
