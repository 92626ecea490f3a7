import { connect } from 'node:net';
import { AUDITOR, CHAIR, SUBGROUP, TestService, signToken, startService } from './support/app';

const LIMIT = 30;
const SIGN_IN_LIMIT = 20;

describe('limits on what one client can take', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startService({ env: { RATE_LIMIT_PER_MINUTE: String(LIMIT), REQUEST_TIMEOUT_SECONDS: '2' } });
  });
  afterAll(() => service.close());

  async function send(count: number, request: () => Promise<Response>): Promise<Response[]> {
    const answers: Response[] = [];
    for (let n = 0; n < count; n++) answers.push(await request());
    return answers;
  }

  async function expectLimitedAfter(allowed: number, answers: Response[], okStatus: number) {
    expect(answers.slice(0, allowed).map((answer) => answer.status)).toEqual(Array(allowed).fill(okStatus));
    const refused = answers[allowed];
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ status: 429, code: 'too-many-requests' });
  }

  it('answers 429 with Retry-After past the limit, counting each signed-in user apart', async () => {
    const chair = { authorization: `Bearer ${await signToken(CHAIR)}` };
    await expectLimitedAfter(LIMIT, await send(LIMIT + 1, () => fetch(`${service.url}/partners`, { headers: chair })), 200);
    // Another user at the same address is not held back by the first.
    expect((await service.request('GET', '/partners', { as: AUDITOR })).status).toBe(200);
  });

  it('answers 408 and closes the connection when a body has not arrived in time', async () => {
    const { port } = new URL(service.url);
    const token = await signToken(SUBGROUP);
    const started = Date.now();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(
          `POST /reviews HTTP/1.1\r\nHost: here\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"reference":`,
        );
      });
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(new Error(`no answer after 10 s: ${received}`)), 10_000);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect(answer).toContain('application/problem+json');
    expect(answer).toContain('"status":408');
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('allows far fewer sign-in attempts from one address', async () => {
    const attempt = () =>
      fetch(`${service.url}/sign-in`, { method: 'POST', body: new URLSearchParams({ user: 'demo-chair' }), redirect: 'manual' });
    await expectLimitedAfter(SIGN_IN_LIMIT, await send(SIGN_IN_LIMIT + 1, attempt), 303);
  });

  it('counts requests without a token by address', async () => {
    await expectLimitedAfter(LIMIT, await send(LIMIT + 1, () => fetch(`${service.url}/health`)), 200);
    expect((await service.request('GET', '/partners', { as: SUBGROUP })).status).toBe(200);
  });
});

describe('limits behind a proxy the service is told to trust', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startService({ env: { RATE_LIMIT_PER_MINUTE: String(LIMIT), TRUST_PROXY: '1' } });
  });
  afterAll(() => service.close());

  it('counts sign-in attempts by the address the proxy forwards, not the proxy’s own', async () => {
    const attempt = (client: string) =>
      fetch(`${service.url}/sign-in`, {
        method: 'POST',
        headers: { 'x-forwarded-for': client },
        body: new URLSearchParams({ user: 'demo-chair' }),
        redirect: 'manual',
      });
    for (let n = 0; n < SIGN_IN_LIMIT; n++) expect((await attempt('203.0.113.1')).status).toBe(303);
    expect((await attempt('203.0.113.1')).status).toBe(429);
    expect((await attempt('203.0.113.2')).status).toBe(303);
  });
});
