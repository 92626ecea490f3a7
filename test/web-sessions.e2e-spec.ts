import { TestService, startService } from './support/app';

const MINUTE = 60_000;

describe('web sessions', () => {
  let service: TestService;
  let now = Date.parse('2026-12-01T09:00:00Z');
  beforeAll(async () => {
    service = await startService({ clock: () => new Date(now) });
  });
  afterAll(() => service.close());

  const page = (path: string, cookie: string) => fetch(`${service.url}${path}`, { headers: { cookie }, redirect: 'manual' });

  async function signIn(user = 'demo-chair'): Promise<string> {
    const answer = await fetch(`${service.url}/sign-in`, { method: 'POST', body: new URLSearchParams({ user }), redirect: 'manual' });
    expect(answer.status).toBe(303);
    return answer.headers.get('set-cookie')!.split(';')[0];
  }

  async function expectSignedIn(cookie: string) {
    const answer = await page('/dashboard', cookie);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  }

  async function expectSentToSignIn(cookie: string) {
    const answer = await page('/dashboard', cookie);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/sign-in?next=%2Fdashboard');
  }

  it('ends the session on sign-out: the old cookie no longer works, while another session goes on', async () => {
    const cookie = await signIn();
    const other = await signIn();
    await expectSignedIn(cookie);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await page('/dashboard', cookie)).text())![1];

    const signOut = await fetch(`${service.url}/sign-out`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ _csrf: csrf }),
      redirect: 'manual',
    });
    expect(signOut.status).toBe(303);
    expect(signOut.headers.get('set-cookie')).toMatch(/^la_session=;.*Max-Age=0/);

    await expectSentToSignIn(cookie);
    await expectSignedIn(other);
  });

  it('ends a session after 30 minutes without a request, and keeps one in use alive', async () => {
    const idle = await signIn();
    const busy = await signIn();
    now += 29 * MINUTE;
    await expectSignedIn(busy);
    now += 2 * MINUTE;
    await expectSentToSignIn(idle);
    await expectSignedIn(busy);
  });

  it('ends even a busy session eight hours after sign-in', async () => {
    const cookie = await signIn();
    for (let minutes = 0; minutes < 8 * 60 - 20; minutes += 20) {
      now += 20 * MINUTE;
      await expectSignedIn(cookie);
    }
    now += 21 * MINUTE;
    await expectSentToSignIn(cookie);
  });

  it('refuses a cookie this service did not make, and keeps only a hash of the session id', async () => {
    const cookie = await signIn();
    const [name, value] = cookie.split('=');
    const [id, mac] = value.split('.');
    await expectSentToSignIn(`${name}=${id}.${mac.slice(0, -2)}AA`);
    await expectSentToSignIn(`${name}=${id}`);
    const { rows } = await service.database.pool.query<{ id_hash: Buffer }>('SELECT id_hash FROM web_sessions');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((row) => row.id_hash.toString('base64url') === id || row.id_hash.toString() === id)).toBe(false);
  });
});
