import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';

export type TestDatabase = Readonly<{ url: string; pool: Pool; drop: () => Promise<void> }>;

function serverUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run the tests through `npm test`, whose global setup starts PostgreSQL.');
  return url;
}

async function onServer(sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the test server, dropped again by `drop`. */
export async function createTestDatabase(poolSize = 10): Promise<TestDatabase> {
  const name = `test_${randomUUID().replaceAll('-', '')}`;
  await onServer(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  const pool = new Pool({ connectionString: url.toString(), max: poolSize });
  // pool.end() resolves before its sockets close, so DROP ... WITH (FORCE) can still terminate one
  // of them; that error belongs to a database being thrown away.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return {
    url: url.toString(),
    pool,
    drop: async () => {
      await pool.end();
      await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

export type PlanNode = Readonly<{ 'Node Type': string; 'Relation Name'?: string; Plans?: readonly PlanNode[] }>;

/** A plan's nodes, the plan's own first. */
export const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

/**
 * A pool of one connection whose server explains every statement it runs, those inside functions
 * and those executed by name included, and sends each plan back: `plans` collects them. One
 * connection, so that the plans the server caches for a session are explained too. `settings`
 * go to the session as well.
 */
export function explainingPool(url: string, plans: PlanNode[], settings: readonly string[] = []): Pool {
  const explaining = new Pool({
    connectionString: url,
    max: 1,
    options: [
      'session_preload_libraries=auto_explain',
      'auto_explain.log_min_duration=0',
      'auto_explain.log_nested_statements=on',
      'auto_explain.log_format=json',
      'client_min_messages=log',
      ...settings,
    ]
      .map((setting) => `-c ${setting}`)
      .join(' '),
  });
  explaining.on('connect', (client) =>
    client.on('notice', ({ message }) => {
      const plan = message?.match(/plan:\s*(\{[\s\S]*\})\s*$/)?.[1];
      if (plan) plans.push(JSON.parse(plan).Plan);
    }),
  );
  return explaining;
}
