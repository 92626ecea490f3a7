import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Pool } from 'pg';
import { SignJWT } from 'jose';
import { migrate } from '@app/event-store';
import { createApp } from '../../../api/src/app';
import { loadConfig } from '../../../api/src/config/config';
import { createPool, freePort } from '@app/infrastructure';
import { createLogger } from '../../../api/src/observability/logger';
import { PacedLoad, PacedLoadResult } from './paced-load';

export const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
/**
 * Load a fresh service process gets before it is measured: its first seconds measure the compiler
 * (2 s of warm-up left the next 6 s of writes 15-25% slower than the 6 s after them).
 */
export const WARM_UP_SECONDS = Number(process.env.BENCH_WARM_UP_SECONDS ?? 10);

/** Runs `work` from `concurrency` loops for SECONDS and answers operations per second. */
export async function throughput(concurrency: number, work: () => Promise<unknown>): Promise<number> {
  const until = Date.now() + SECONDS * 1000;
  let done = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < until) {
        await work();
        done += 1;
      }
    }),
  );
  return done / ((Date.now() - started) / 1000);
}

export type LoadOptions = Readonly<{ url: string; token: string; connections: number; seconds?: number; rate?: number; body: object }>;

/** autocannon in its own process, so that the load generator does not share the service's event loop. */
export async function loadFromAnotherProcess({ url, token, connections, seconds = SECONDS, rate, body }: LoadOptions) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      require.resolve('autocannon/autocannon.js'),
      '--json',
      '-m',
      'POST',
      '-c',
      String(connections),
      '-d',
      String(seconds),
      ...(rate ? ['-R', String(rate)] : []),
      '-H',
      `authorization=Bearer ${token}`,
      '-H',
      'content-type=application/json',
      '-b',
      JSON.stringify(body),
      url,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as { '2xx': number; non2xx: number; duration: number; latency: { p50: number; p99: number } };
}

/** POSTs at an even pace (see paced-load), from its own process like autocannon. */
export async function offerPacedLoadFromAnotherProcess(load: PacedLoad): Promise<PacedLoadResult> {
  const { stdout } = await promisify(execFile)(process.execPath, [require.resolve('./paced-load'), JSON.stringify(load)]);
  return JSON.parse(stdout) as PacedLoadResult;
}

export const row = (label: string, perSecond: number, baseline?: number) =>
  `${label.padEnd(52)} ${perSecond.toFixed(0).padStart(8)} /s${baseline ? `   ${(perSecond / baseline).toFixed(2)}× raw` : ''}`;

export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const admin = new Pool({ connectionString: serverUrl, max: 1 });
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export type BenchService = Readonly<{ app: NestFastifyApplication; url: string; token: string; pool: Pool; close: () => Promise<void> }>;

/** The real service on a fresh database of the bench server, with a subgroup token to drive it. */
export async function startBenchService(serverUrl: string, name: string): Promise<BenchService> {
  return startBenchServiceOn(await createDatabase(serverUrl, name));
}

const BENCH_SECRET = 'bench-secret-long-enough-to-sign';
const signingKeyPem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function subgroupToken(): Promise<string> {
  return new SignJWT({ name: 'Bench', roles: ['subgroup'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(BENCH_SECRET));
}

/** How the bench runs the service, in process or not: one user writing as fast as it can is the load itself, not an abuse to limit. */
const serviceEnv = () => ({ AUTH_DEV_SECRET: BENCH_SECRET, AUDIT_SIGNING_KEY: signingKeyPem(), DEMO: 'off', RATE_LIMIT_PER_MINUTE: '0' });

/** The real service on a database of the bench server, with a subgroup token to drive it. */
export async function startBenchServiceOn(databaseUrl: string): Promise<BenchService> {
  const pool = createPool(databaseUrl);
  await migrate(pool);
  const config = loadConfig({ ...serviceEnv(), DATABASE_URL: databaseUrl });
  const app = await createApp({ config, pool, logger: createLogger('warn') });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    token: await subgroupToken(),
    pool,
    close: async () => {
      await app.close();
      await pool.end();
    },
  };
}

export type ServiceProcess = Readonly<{ url: string; token: string; rssMb: () => Promise<number>; close: () => Promise<void> }>;

/** Where each HTTP service the bench measures starts, and how it says it is ready. */
const SERVICES = {
  ours: { entry: '../../../api/src/main', readyPath: '/health/ready' },
  /** Answers 404 there once it listens: it has no health route, being the least a team would write. */
  plain: { entry: './plain-service', readyPath: '/' },
  /** Ours appending events without holding them to their schemas: what that check costs is the difference. */
  unchecked: { entry: './unchecked-service', readyPath: '/health/ready' },
};

/**
 * An HTTP service in a process of its own, started as `npm start` starts ours (with the Node flags
 * this bench runs with), on a fresh database of the bench server: nothing it does shares a heap,
 * a thread or a garbage collector with what the bench measures beside it.
 */
export async function startServiceProcess(serverUrl: string, name: string, which: keyof typeof SERVICES = 'ours'): Promise<ServiceProcess> {
  const databaseUrl = await createDatabase(serverUrl, name);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { entry, readyPath } = SERVICES[which];
  const child = spawn(process.execPath, [...process.execArgv, join(__dirname, entry)], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...serviceEnv(),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${which} service stopped before it was ready: ${stderr.trim()}`);
    if (Date.now() > deadline) throw new Error(`the ${which} service was not ready within 60 s`);
    const ready = await fetch(`${url}${readyPath}`).then(
      (response) => response.ok || (which === 'plain' && response.status === 404),
      () => false,
    );
    if (ready) break;
    await sleep(200);
  }
  return {
    url,
    token: await subgroupToken(),
    rssMb: async () => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
