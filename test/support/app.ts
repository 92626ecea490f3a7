import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { Role } from '@app/domain';
import { createApp } from '../../apps/api/src/app';
import { Clock } from '../../apps/api/src/clock/clock';
import { AuthConfig, loadConfig } from '../../apps/api/src/config/config';
import { createLogger } from '../../apps/api/src/observability/logger';
import { EVENT_STORE, EventStore, migrate } from '@app/event-store';
import { TestDatabase, createTestDatabase } from '@app/testing';

export const DEV_SECRET = 'e2e-secret-that-is-long-enough';

/** A checkpoint signing key for this run, so that tests never write one under ./.data. */
export const AUDIT_SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export type TestUser = Readonly<{ roles: Role[]; partner?: string; sub?: string; name?: string }>;

export async function signToken(user: TestUser, secret = DEV_SECRET): Promise<string> {
  return new SignJWT({ name: user.name ?? `Test ${user.roles.join(' ')}`, roles: user.roles, partner: user.partner })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user.sub ?? `user-${user.roles.join('-')}-${user.partner ?? 'all'}`)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}

/** A clock a test moves on: to make a plan with dates ahead, then read it on a later day when some have passed. */
export type TestClock = Clock & { set: (instant: string) => void };

export function testClock(start: string): TestClock {
  let now = new Date(start);
  return Object.assign(() => now, { set: (instant: string) => void (now = new Date(instant)) });
}

export type Answer<T = any> = Readonly<{ status: number; headers: Headers; body: T }>;

export type TestService = Readonly<{
  url: string;
  app: NestFastifyApplication;
  database: TestDatabase;
  /**
   * A request as a client makes it. Reads carry `?position=` of the last write made through this
   * helper, as a client reading its own writes does, unless `readYourWrites` is false.
   */
  request: (
    method: string,
    path: string,
    options?: { as?: TestUser | string; body?: unknown; headers?: Record<string, string>; readYourWrites?: boolean },
  ) => Promise<Answer>;
  headPosition: () => Promise<number>;
  close: () => Promise<void>;
}>;

/** With TEST_EVENT_STORE=eventstoredb, events go to the run's EventStoreDB server, each service in a log stream of its own. */
function eventStoreEnv(): NodeJS.ProcessEnv {
  if (process.env.TEST_EVENT_STORE !== 'eventstoredb') return {};
  return {
    EVENT_STORE: 'eventstoredb',
    EVENTSTOREDB_URL: process.env.TEST_EVENTSTOREDB_URL,
    EVENTSTOREDB_LOG_STREAM: `log-${randomUUID()}`,
  };
}

/** The real service over real HTTP, on a fresh database of the embedded test server. */
export async function startService(
  options: { auth?: AuthConfig; clock?: Clock; env?: NodeJS.ProcessEnv; port?: number } = {},
): Promise<TestService> {
  const database = await createTestDatabase();
  await migrate(database.pool);
  // Tests make requests far faster than people do: the rate limit is off unless a test turns it on.
  const env = {
    AUTH_DEV_SECRET: DEV_SECRET,
    DATABASE_URL: database.url,
    AUDIT_SIGNING_KEY,
    DEMO: 'off',
    RATE_LIMIT_PER_MINUTE: '0',
    ...eventStoreEnv(),
    ...options.env,
  };
  const config = { ...loadConfig(env), ...(options.auth && { auth: options.auth }) };
  const app = await createApp({ config, pool: database.pool, logger: createLogger('silent'), clock: options.clock });
  await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;

  let lastWrite: string | undefined;
  const request: TestService['request'] = async (method, path, { as, body, headers = {}, readYourWrites = true } = {}) => {
    const token = typeof as === 'string' ? as : as && (await signToken(as));
    const waitFor = method === 'GET' && readYourWrites && lastWrite && !/[?&]position=/.test(path);
    const target = waitFor ? `${path}${path.includes('?') ? '&' : '?'}position=${lastWrite}` : path;
    const response = await fetch(`${url}${target}`, {
      method,
      headers: {
        ...(body !== undefined && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';
    const answer = { status: response.status, headers: response.headers, body: type.includes('json') && text ? JSON.parse(text) : text };
    if (method === 'POST' && response.ok && typeof answer.body?.position === 'string') lastWrite = answer.body.position;
    return answer;
  };

  return {
    url,
    app,
    database,
    request,
    headPosition: async () => Number(await app.get<EventStore>(EVENT_STORE).headPosition()),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/** Signs in on the development sign-in page as one of the demonstration users; answers the session cookie. */
export async function webSessionCookie(service: Pick<TestService, 'url'>, user: string): Promise<string> {
  const answer = await fetch(`${service.url}/sign-in`, { method: 'POST', body: new URLSearchParams({ user }), redirect: 'manual' });
  if (answer.status !== 303) throw new Error(`signing in as ${user} answered ${answer.status}`);
  return answer.headers.get('set-cookie')!.split(';')[0];
}

export const ADMIN: TestUser = { roles: ['admin'], sub: 'admin-1', name: 'Ada Admin' };
export const SUBGROUP: TestUser = { roles: ['subgroup'], sub: 'subgroup-1', name: 'Sam Subgroup' };
export const CHAIR: TestUser = { roles: ['chair'], sub: 'chair-1', name: 'Chris Chair' };
export const AUDITOR: TestUser = { roles: ['auditor'], sub: 'auditor-1', name: 'Alex Auditor' };
export const partnerUser = (partner: string): TestUser => ({
  roles: ['partner'],
  partner,
  sub: `lead-${partner}`,
  name: `Lead of ${partner}`,
});

/** Registers partners, a review and a recommendation, and raises one action on it. */
export async function seedAction(service: TestService, partners = ['county-council', 'police']) {
  for (const id of partners) {
    const answer = await service.request('POST', '/partners', { as: ADMIN, body: { id, name: id } });
    if (answer.status !== 201 && answer.body?.code !== 'partner-exists') throw new Error(JSON.stringify(answer.body));
  }
  const review = await service.request('POST', '/reviews', {
    as: SUBGROUP,
    body: { reference: `CSPR-${Math.random()}`, title: 'Child R', kind: 'cspr', themes: ['neglect'] },
  });
  const recommendation = await service.request('POST', `/reviews/${review.body.id}/recommendations`, {
    as: SUBGROUP,
    body: { text: 'Improve pre-birth assessment' },
  });
  const action = await service.request('POST', '/actions', {
    as: SUBGROUP,
    body: { recommendationId: recommendation.body.id, description: 'Revise the pre-birth procedure' },
  });
  return { reviewId: review.body.id as string, recommendationId: recommendation.body.id as string, actionId: action.body.id as string };
}
