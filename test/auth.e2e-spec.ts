import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { createServer, Server } from 'node:http';
import { Role } from '@app/domain';
import {
  AUDITOR,
  CHAIR,
  DEV_SECRET,
  SUBGROUP,
  TestService,
  TestUser,
  partnerUser,
  seedAction,
  signToken,
  startService,
  webSessionCookie,
} from './support/app';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'learning-actions';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const secretKey = (secret: string) => new TextEncoder().encode(secret);
const now = () => Math.floor(Date.now() / 1000);

describe('identity: HS256 development tokens', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startService();
  });
  afterAll(() => service.close());

  async function badTokens(): Promise<Record<string, string>> {
    const claims = { sub: 'u1', name: 'U', roles: ['subgroup'] };
    const good = await signToken(SUBGROUP);
    const [header, payload, signature] = good.split('.');
    return {
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, exp: now() + 600 })}.`,
      'wrong key': await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(secretKey('another-secret-of-enough-length')),
      expired: await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime(now() - 120)
        .sign(secretKey(DEV_SECRET)),
      'not yet valid': await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .setNotBefore(now() + 600)
        .setExpirationTime('20m')
        .sign(secretKey(DEV_SECRET)),
      'missing exp': await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(secretKey(DEV_SECRET)),
      'missing sub': await new SignJWT({ roles: ['subgroup'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(secretKey(DEV_SECRET)),
      'tampered payload': `${header}.${b64({ ...claims, roles: ['admin'], exp: now() + 600 })}.${signature}`,
      'tampered signature': `${header}.${payload}.${signature.slice(0, -4)}AAAA`,
      'HS512 instead of HS256': await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS512' })
        .setExpirationTime('5m')
        .sign(secretKey(DEV_SECRET)),
      'roles not an array': await new SignJWT({ ...claims, roles: 'admin' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(secretKey(DEV_SECRET)),
      'partner role without partner': await new SignJWT({ ...claims, roles: ['partner'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(secretKey(DEV_SECRET)),
      'not a JWT': 'hello.world',
      'garbage base64': '!!!.???.***',
    };
  }

  it('answers 401 to every crafted bad token, and to a missing or non-bearer header', async () => {
    const tokens = await badTokens();
    expect(Object.keys(tokens).length).toBeGreaterThanOrEqual(12);
    for (const [name, token] of Object.entries(tokens)) {
      const answer = await service.request('GET', '/partners', { headers: { authorization: `Bearer ${token}` } });
      expect({ name, status: answer.status }).toEqual({ name, status: 401 });
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await service.request('GET', '/partners')).status).toBe(401);
    expect((await service.request('GET', '/partners', { headers: { authorization: 'Basic dTpw' } })).status).toBe(401);
    expect((await service.request('GET', '/partners', { as: SUBGROUP })).status).toBe(200);
  });

  it('lets health and docs through without a token', async () => {
    expect((await service.request('GET', '/health')).status).toBe(200);
    expect((await service.request('GET', '/health/ready')).body).toMatchObject({ status: 'ready' });
    const docs = await service.request('GET', '/docs-json');
    expect(docs.status).toBe(200);
    expect(docs.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/actions/{id}/evidence/{evidenceId}/accept', '/partners']));
    expect(docs.body.paths['/actions']['post'].responses).toHaveProperty('409');
    expect((await service.request('GET', '/docs')).status).toBe(200);
  });

  it('serves Prometheus metrics with request and group-commit figures', async () => {
    const metrics = await service.request('GET', '/metrics', { as: AUDITOR });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('http_requests_total');
    expect(metrics.body).toContain('event_store_group_commit_appends');
    expect((await service.request('GET', '/metrics', { as: partnerUser('police') })).status).toBe(403);
  });

  it('does not let anyone accept evidence they submitted themselves, in the API or on the pages', async () => {
    const { actionId } = await seedAction(service, ['police']);
    await service.request('POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'police', dueDate: '2027-01-31' } });
    // Sam, signed in to the pages as the demonstration subgroup member, submits evidence through the API.
    const sam: TestUser = { roles: ['subgroup'], sub: 'demo-subgroup', name: 'Sam Reviewer' };
    const evidence = await service.request('POST', `/actions/${actionId}/evidence`, { as: sam, body: { summary: 'Audit of 20 cases' } });
    expect(evidence.status).toBe(201);

    const byApi = await service.request('POST', `/actions/${actionId}/evidence/${evidence.body.id}/accept`, { as: sam, body: {} });
    expect(byApi).toMatchObject({ status: 403, body: { code: 'own-evidence-assurance', detail: expect.stringContaining('someone else') } });

    const cookie = await webSessionCookie(service, 'demo-subgroup');
    const page = await (await fetch(`${service.url}/tracker/${actionId}`, { headers: { cookie } })).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1];
    const byPage = await fetch(`${service.url}/tracker/${actionId}/accept`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ _csrf: csrf, evidenceId: evidence.body.id }),
      redirect: 'manual',
    });
    expect(byPage.status).toBe(403);
    expect(await byPage.text()).toContain('someone else in the subgroup must decide');

    const byAnother = await service.request('POST', `/actions/${actionId}/evidence/${evidence.body.id}/accept`, { as: SUBGROUP, body: {} });
    expect(byAnother.status).toBe(200);
  });

  it('does not let a subgroup member from the owning partner assure their own agency’s evidence', async () => {
    const { actionId } = await seedAction(service, ['police']);
    await service.request('POST', `/actions/${actionId}/assign`, { as: SUBGROUP, body: { partnerId: 'police', dueDate: '2027-01-31' } });
    const evidence = await service.request('POST', `/actions/${actionId}/evidence`, {
      as: partnerUser('police'),
      body: { summary: 'done' },
    });
    const policeMember: TestUser = { roles: ['subgroup' as Role], partner: 'police', sub: 'police-rep' };
    const answer = await service.request('POST', `/actions/${actionId}/evidence/${evidence.body.id}/accept`, {
      as: policeMember,
      body: {},
    });
    expect(answer).toMatchObject({ status: 403, body: { code: 'own-action-assurance' } });
  });
});

describe('identity: RS256 and ES256 tokens from a JWKS endpoint', () => {
  let jwks: Server;
  let service: TestService;
  const keys: Record<string, Awaited<ReturnType<typeof generateKeyPair>>['privateKey']> = {};

  beforeAll(async () => {
    const rsa = await generateKeyPair('RS256');
    const ec = await generateKeyPair('ES256');
    keys.RS256 = rsa.privateKey;
    keys.ES256 = ec.privateKey;
    const published = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa', alg: 'RS256' },
        { ...(await exportJWK(ec.publicKey)), kid: 'ec', alg: 'ES256' },
      ],
    };
    jwks = createServer((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(published)));
    await new Promise<void>((done) => jwks.listen(0, '127.0.0.1', done));
    const { port } = jwks.address() as { port: number };
    service = await startService({ auth: { kind: 'jwks', jwksUrl: `http://127.0.0.1:${port}/jwks`, issuer: ISSUER, audience: AUDIENCE } });
  });
  afterAll(async () => {
    await service.close();
    jwks.close();
  });

  const sign = (alg: 'RS256' | 'ES256', kid: string, claims: { iss?: string; aud?: string } = {}) =>
    new SignJWT({ name: 'Oidc User', roles: ['chair'] })
      .setProtectedHeader({ alg, kid })
      .setSubject('oidc-user')
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setExpirationTime('5m')
      .sign(keys[alg]);

  it('accepts RS256 and ES256 tokens from the provider', async () => {
    for (const token of [await sign('RS256', 'rsa'), await sign('ES256', 'ec')]) {
      expect((await service.request('GET', '/partners', { as: token })).status).toBe(200);
    }
  });

  it('refuses a wrong issuer, a wrong audience, an HS256 token and a development token', async () => {
    const hs = await new SignJWT({ roles: ['chair'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'rsa' })
      .setSubject('x')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(secretKey(DEV_SECRET));
    const tokens = [
      await sign('RS256', 'rsa', { iss: 'https://evil.test' }),
      await sign('ES256', 'ec', { aud: 'someone-else' }),
      hs,
      await signToken(CHAIR),
    ];
    for (const token of tokens) expect((await service.request('GET', '/partners', { as: token })).status).toBe(401);
  });
});
