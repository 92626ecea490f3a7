import { execFile } from 'node:child_process';
import { createServer, Server, Socket, connect } from 'node:net';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { Pool } from 'pg';
import { migrate } from '@app/event-store';
import { createApp } from '../apps/api/src/app';
import { loadConfig } from '../apps/api/src/config/config';
import { createPool } from '@app/infrastructure';
import { createLogger } from '../apps/api/src/observability/logger';
import { ReadModelHost } from '../apps/api/src/reads/read-model-host';
import { AUDIT_SIGNING_KEY, DEV_SECRET, SUBGROUP, signToken, startService } from './support/app';
import { TestDatabase, createTestDatabase } from '@app/testing';
import { REGISTER_TS } from './support/processes';

/** A TCP relay between the service and PostgreSQL that the test can cut and restore. */
class Relay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((done) => this.server!.listen(this.port, '127.0.0.1', done));
  }

  async cut(): Promise<void> {
    this.sockets.forEach((socket) => socket.destroy());
    await new Promise((done) => this.server?.close(done));
  }
}

describe('resilience', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    await migrate(database.pool);
  });
  afterAll(() => database.drop());

  it('answers 503 while the database is unreachable and recovers by itself when it returns', async () => {
    const target = new URL(database.url);
    const probe = createServer();
    await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
    const port = (probe.address() as { port: number }).port;
    await new Promise((done) => probe.close(done));
    const relay = new Relay({ host: target.hostname, port: Number(target.port) }, port);
    await relay.open();
    const viaRelay = new URL(database.url);
    viaRelay.port = String(port);
    // Through the relay's TCP port, not the server's Unix socket.
    viaRelay.searchParams.delete('host');
    const pool: Pool = createPool(viaRelay.toString());
    const config = loadConfig({ AUTH_DEV_SECRET: DEV_SECRET, DATABASE_URL: viaRelay.toString(), AUDIT_SIGNING_KEY, DEMO: 'off' });
    const app = await createApp({ config, pool, logger: createLogger('silent') });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const headers = { authorization: `Bearer ${await signToken(SUBGROUP)}`, 'content-type': 'application/json' };
    let registered = 0;
    const register = () =>
      fetch(`${url}/reviews`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ reference: `R-${(registered += 1)}`, title: 'T', kind: 'cspr' }),
      });
    try {
      expect((await register()).status).toBe(201);
      await relay.cut();
      const down = await register();
      expect(down.status).toBe(503);
      expect(down.headers.get('content-type')).toContain('application/problem+json');
      expect(((await down.json()) as { code: string }).code).toBe('database-unavailable');
      expect((await fetch(`${url}/health/ready`)).status).toBe(503);
      expect((await fetch(`${url}/health`)).status).toBe(200);
      await relay.open();
      expect((await register()).status).toBe(201);
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    } finally {
      await app.close();
      await relay.cut();
      await pool.end();
    }
  });

  it('starts its projection thread again should it die, and the read models catch up', async () => {
    const service = await startService();
    try {
      const threadOf = () => (service.app.get(ReadModelHost) as unknown as { thread?: Worker }).thread;
      const register = (reference: string) =>
        service.request('POST', '/reviews', { as: SUBGROUP, body: { reference, title: reference, kind: 'cspr' } });
      await register('Before');
      expect((await service.request('GET', '/reviews', { as: SUBGROUP })).body).toHaveLength(1);

      const first = threadOf()!;
      await first.terminate();
      await register('After');
      const reviews = await service.request('GET', '/reviews', { as: SUBGROUP });

      expect(reviews.status).toBe(200);
      expect(reviews.body.map((review: { reference: string }) => review.reference).sort()).toEqual(['After', 'Before']);
      expect(threadOf()).toBeDefined();
      expect(threadOf()).not.toBe(first);
    } finally {
      await service.close();
    }
  });

  describe('start-up refusals: one line on stderr, non-zero exit', () => {
    it.each([
      [{}, /set AUTH_DEV_SECRET/],
      [{ AUTH_DEV_SECRET: 'long-enough-dev-secret', DATABASE_URL: 'not a url' }, /DATABASE_URL is not a valid URL/],
      [
        { AUTH_DEV_SECRET: 'long-enough-dev-secret', DATABASE_URL: 'postgres://u:p@127.0.0.1:1/db' },
        /Cannot use the database at 127\.0\.0\.1:1\/db: the server cannot be reached/,
      ],
      [{ AUTH_JWKS_URL: 'https://idp.example/jwks' }, /needs AUTH_ISSUER and AUTH_AUDIENCE/],
      [
        {
          AUTH_DEV_SECRET: 'long-enough-dev-secret',
          AUTH_JWKS_URL: 'https://idp.example/jwks',
          AUTH_ISSUER: 'https://idp.example',
          AUTH_AUDIENCE: 'la',
        },
        /AUTH_DEV_SECRET is set beside production sign-in/,
      ],
      [
        { AUTH_DEV_SECRET: 'long-enough-dev-secret', OIDC_ISSUER_URL: 'https://idp.example' },
        /AUTH_DEV_SECRET is set beside production sign-in/,
      ],
      [{ AUTH_DEV_SECRET: 'long-enough-dev-secret', DEMO: 'yes' }, /DEMO must be 'on' or 'off'/],
      [{ AUTH_DEV_SECRET: 'long-enough-dev-secret', EVENT_STORE: 'eventstoredb' }, /EVENT_STORE=eventstoredb needs EVENTSTOREDB_URL/],
      [
        { AUTH_DEV_SECRET: 'long-enough-dev-secret', EVENT_STORE: 'eventstoredb', EVENTSTOREDB_URL: 'https://es' },
        /EVENTSTOREDB_URL must start with esdb:/,
      ],
    ])('refuses %p', async (env, message) => {
      await expectRefusal(env, message);
    });

    it('refuses an EventStoreDB server that cannot be reached', async () => {
      const database = await createTestDatabase(2);
      try {
        const env = {
          AUTH_DEV_SECRET: 'long-enough-dev-secret',
          DATABASE_URL: database.url,
          EVENT_STORE: 'eventstoredb',
          EVENTSTOREDB_URL: 'esdb://127.0.0.1:1?tls=false',
        };
        await expectRefusal(env, /EventStoreDB at 127\.0\.0\.1:1 cannot be reached/);
      } finally {
        await database.drop();
      }
    });

    async function expectRefusal(env: NodeJS.ProcessEnv, message: RegExp) {
      const { stderr, code } = await promisify(execFile)(process.execPath, ['-r', REGISTER_TS, 'apps/api/src/main.ts'], {
        env: { PATH: process.env.PATH!, ...env },
        cwd: process.cwd(),
        timeout: 20000,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
      expect(code).toBe(1);
      expect(stderr).toMatch(message);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
