import { existsSync } from 'node:fs';
import { Server } from 'node:http';
import { AddressInfo, createServer } from 'node:net';
import Provider from 'oidc-provider';
import { Page } from 'playwright-core';
import { TestService, startService } from './support/app';
import { Browser, CHROMIUM, launchBrowser, screenshot } from './support/browser';

const available = existsSync(CHROMIUM);
if (!available) process.stdout.write(`SKIPPED the OpenID Connect sign-in test: no Chromium at ${CHROMIUM}.\n`);

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });

/** The partner agencies' accounts at the identity provider, with the claims it releases. */
const ACCOUNTS: Record<string, object> = {
  'chris.chair': { name: 'Chris Chair', roles: ['chair'] },
  'pat.police': { name: 'Pat Police', roles: ['partner'], partner: 'police' },
  'no.role': { name: 'Nobody Here', roles: [] },
};

(available ? describe : describe.skip)('signing in through a real OpenID Connect provider (authorization code with PKCE)', () => {
  let provider: Server;
  let service: TestService;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const [providerPort, servicePort] = [await freePort(), await freePort()];
    const issuer = `http://127.0.0.1:${providerPort}`;
    const redirect = `http://127.0.0.1:${servicePort}/sign-in/callback`;
    const oidc = new Provider(issuer, {
      clients: [
        {
          client_id: 'learning-actions',
          client_secret: 'a-client-secret-for-the-test',
          redirect_uris: [redirect],
          response_types: ['code'],
          grant_types: ['authorization_code'],
        },
      ],
      claims: { openid: ['sub'], profile: ['name'], roles: ['roles', 'partner'] },
      conformIdTokenClaims: false,
      findAccount: async (_context: unknown, id: string) =>
        ACCOUNTS[id] && { accountId: id, claims: async () => ({ sub: id, ...ACCOUNTS[id] }) },
      features: { devInteractions: { enabled: true } },
      // The provider refuses any authorization request without a PKCE challenge: the sign-in must send one.
      pkce: { required: () => true },
      ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600 },
    });
    provider = oidc.listen(providerPort);
    service = await startService({
      port: servicePort,
      env: {
        DEMO: 'on',
        // Production sign-in never runs beside the development secret: bearer tokens come from the same provider.
        AUTH_DEV_SECRET: '',
        AUTH_JWKS_URL: `${issuer}/jwks`,
        AUTH_ISSUER: issuer,
        AUTH_AUDIENCE: 'learning-actions',
        OIDC_ISSUER_URL: issuer,
        OIDC_CLIENT_ID: 'learning-actions',
        OIDC_CLIENT_SECRET: 'a-client-secret-for-the-test',
        OIDC_REDIRECT_URL: redirect,
      },
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await service?.close();
    await new Promise((resolve) => provider?.close(resolve));
  });

  const signInAt = async (path: string, login: string) => {
    await page.context().clearCookies();
    await page.goto(`${service.url}${path}`);
    await page.click('a:has-text("Continue to sign in")');
    await logInAtProvider(login);
  };

  const logInAtProvider = async (login: string) => {
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', 'any password: the development login checks none');
    await page.click('button[type="submit"]');
    // The provider asks once whether the service may have the claims.
    if (await page.locator('button[type="submit"]').count()) await page.click('button[type="submit"]');
  };

  it('signs a chair in and brings them back to the page they asked for', async () => {
    await signInAt('/dashboard', 'chris.chair');
    expect(new URL(page.url()).pathname).toBe('/dashboard');
    expect(await page.textContent('.app-signed-in')).toContain('Chris Chair');
    expect(await page.locator('tr[data-partner]').count()).toBe(4);
    const cookies = await page.context().cookies(service.url);
    expect(cookies.find((cookie) => cookie.name === 'la_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    await screenshot(page, 'oidc-signed-in');
  }, 30_000);

  it("maps the partner claim: a partner lead sees only their agency's actions", async () => {
    await signInAt('/start', 'pat.police');
    expect(new URL(page.url()).pathname).toBe('/tracker');
    expect(await page.textContent('.app-signed-in')).toContain('Thames Valley Police');
    expect((await page.goto(`${service.url}/dashboard`))!.status()).toBe(403);
  }, 30_000);

  it('turns away an account without a role, and offers no development sign-in beside the provider', async () => {
    await signInAt('/dashboard', 'no.role');
    expect(await page.textContent('h1')).toContain('You cannot use this service');
    const devSignIn = await fetch(`${service.url}/sign-in`, { method: 'POST', body: new URLSearchParams({ user: 'demo-chair' }) });
    expect(devSignIn.status).toBe(404);
    expect(devSignIn.headers.get('set-cookie')).toBeNull();
  }, 30_000);

  it('says sign-in did not finish when the user cancels at the provider, or the answer is not for this sign-in', async () => {
    for (const answer of ['error=access_denied&state=', 'code=forged&state=not-the-one-sent']) {
      const start = await fetch(`${service.url}/sign-in/oidc?next=/dashboard`, { redirect: 'manual' });
      const flow = /la_oidc=[^;]+/.exec(start.headers.get('set-cookie') ?? '')![0];
      const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
      const query = answer.endsWith('state=') ? `${answer}${state}` : answer;
      const back = await fetch(`${service.url}/sign-in/callback?${query}`, { headers: { cookie: flow }, redirect: 'manual' });
      const html = await back.text();
      expect({ answer, status: back.status, title: /<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1] }).toEqual({
        answer,
        status: 400,
        title: 'Sign-in did not finish',
      });
      expect(html).toContain('href="/sign-in"');
      expect(back.headers.get('set-cookie')).toMatch(/^la_oidc=;/);
    }
  });

  const HOSTILE_NEXT = [
    '/\n/evil.example',
    '/\t/evil.example',
    '/東京',
    '//evil.example/',
    '/\\evil.example',
    'https://evil.example/',
    '/.//evil.example',
  ];

  it.each(HOSTILE_NEXT)('keeps only a path of its own as next when a sign-in starts with %p', async (next) => {
    const start = await fetch(`${service.url}/sign-in/oidc?next=${encodeURIComponent(next)}`, { redirect: 'manual' });
    expect(start.status).toBe(303);
    const flow = /la_oidc=([^;]+)/.exec(start.headers.get('set-cookie') ?? '')![1];
    const kept = JSON.parse(Buffer.from(flow.split('.')[1], 'base64url').toString()).next as string;
    expect(new URL(kept, service.url).origin).toBe(service.url);
    expect(kept).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
    expect((await fetch(`${service.url}/health`)).status).toBe(200);
  });

  it('comes back from the provider to a page of its own after a sign-in started with a hostile next', async () => {
    await page.context().clearCookies();
    await page.goto(`${service.url}/sign-in/oidc?next=${encodeURIComponent('/\t/evil.example')}`);
    await logInAtProvider('chris.chair');
    expect(new URL(page.url()).origin).toBe(service.url);
    expect(await page.textContent('.app-signed-in')).toContain('Chris Chair');
  }, 30_000);
});
