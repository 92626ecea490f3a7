import { CommandBus } from '@nestjs/cqrs';
import { randomUUID } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createPool } from '@app/infrastructure';
import { zipOf } from '@app/testing';
import { ChangePartnersCommand } from '../../../api/src/partners/change-partners.handler';
import { createDatabase, startBenchService, throughput } from './bench-kit';

const ROWS = 10_000;
const PARTNERS = ['county-council', 'integrated-care-board', 'police', 'education'];
const HEADER =
  'review reference,review title,review kind,recommendation,action,partner,lead,raised on,due date,status,closed on,outcome,themes';

/** A plan of `rows` actions over two years: 200 reviews of 5 recommendations, most actions closed, some withdrawn or open. */
function syntheticPlan(rows: number): string {
  const lines = [HEADER];
  for (let n = 0; n < rows; n++) {
    const review = Math.floor(n / 50);
    const raised = new Date(Date.UTC(2024, 11, 1) + (n % 700) * 86_400_000);
    const day = (date: Date) => `${date.getUTCDate()}/${date.getUTCMonth() + 1}/${date.getUTCFullYear()}`;
    const due = new Date(raised.getTime() + 120 * 86_400_000);
    const status = n % 10 < 6 ? 'closed' : n % 10 === 6 ? 'withdrawn' : 'open';
    const closed = status === 'open' ? '' : day(new Date(raised.getTime() + 90 * 86_400_000));
    lines.push(
      [
        `R-${review}`,
        `Review ${review}`,
        review % 4 === 0 ? 'cspr' : 'rapid-review',
        `Recommendation ${Math.floor(n / 10) % 5} of review ${review}`,
        `Action ${n}: revise the procedure and audit its use`,
        PARTNERS[n % PARTNERS.length],
        'Head of Service',
        day(raised),
        day(due),
        status,
        closed,
        status === 'closed' ? 'completed' : '',
        'neglect; information sharing',
      ].join(','),
    );
  }
  return lines.join('\n');
}

/** How long the service's event loop is held, and /health waits, while it refuses the worst files it can be sent, all at once. */
async function heldWhileRefusing(url: string, token: string): Promise<{ heldMs: number; slowestHealthMs: number }> {
  const bomb = zipOf([{ name: '[Content_Types].xml', data: Buffer.alloc(400 * 1024 * 1024) }]);
  const liar = zipOf([{ name: '[Content_Types].xml', data: Buffer.alloc(150 * 1024 * 1024, ' '), declaredSize: 1024 }]);
  const wideCell = `${HEADER}\nR,T,CSPR,Rec,"${'x'.repeat(5 * 1024 * 1024 - 300)}",police,,,31/03/2027,open,,,`;
  const send = (body: Uint8Array<ArrayBuffer> | string, type: string) =>
    fetch(`${url}/imports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
  const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  let slowestHealthMs = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) {
      const started = performance.now();
      await fetch(`${url}/health`);
      slowestHealthMs = Math.max(slowestHealthMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const held = monitorEventLoopDelay({ resolution: 10 });
  held.enable();
  const statuses = (
    await Promise.all([send(new Uint8Array(bomb), xlsx), send(new Uint8Array(liar), xlsx), send(wideCell, 'text/csv')])
  ).map((response) => response.status);
  held.disable();
  polling = false;
  await poll;
  if (statuses.some((status) => status < 400)) throw new Error(`a worst body was taken: ${statuses.join(', ')}`);
  return { heldMs: held.max / 1e6, slowestHealthMs };
}

/** Importing a plan of 10,000 actions over HTTP, dry run and import, against raw PostgreSQL writing as many rows. */
export async function benchImport(serverUrl: string): Promise<string[]> {
  const rawPool = createPool(await createDatabase(serverUrl, 'bench_import_raw'));
  rawPool.options.max = 20;
  await rawPool.query('CREATE TABLE raw_events (id bigserial PRIMARY KEY, stream_id text NOT NULL, data jsonb NOT NULL)');
  const rawRate = await throughput(16, () =>
    rawPool.query('INSERT INTO raw_events (stream_id, data) VALUES ($1, $2)', [randomUUID(), { n: 1 }]),
  );
  await rawPool.end();

  const service = await startBenchService(serverUrl, 'bench_import');
  try {
    const commands = service.app.get(CommandBus);
    for (const id of PARTNERS)
      await commands.execute(
        new ChangePartnersCommand(
          { type: 'RegisterPartner', partnerId: id, name: id },
          { actor: { userId: 'bench', name: 'Bench', roles: ['admin'] }, correlationId: randomUUID() },
        ),
      );
    const plan = syntheticPlan(ROWS);
    const post = async (query: string) => {
      // The service runs in this process: how long its event loop was held at once while it imported.
      const held = monitorEventLoopDelay({ resolution: 10 });
      held.enable();
      const started = performance.now();
      const response = await fetch(`${service.url}/imports${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${service.token}`, 'content-type': 'text/csv' },
        body: plan,
      });
      const body = (await response.json()) as { created?: { actions: number }; valid?: boolean };
      if (response.status >= 300) throw new Error(`POST /imports${query}: ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
      held.disable();
      return { seconds: (performance.now() - started) / 1000, body, heldMs: held.max / 1e6 };
    };
    const worst = await heldWhileRefusing(service.url, service.token);
    const dryRun = await post('?dryRun=true');
    const before = (await service.pool.query<{ head: string }>('SELECT coalesce(max(position), 0) AS head FROM events')).rows[0].head;
    const imported = await post('');
    const after = (await service.pool.query<{ head: string }>('SELECT max(position) AS head FROM events')).rows[0].head;
    const events = Number(after) - Number(before);
    const rawSeconds = events / rawRate;
    return [
      `raw INSERT, one per transaction, c=16`.padEnd(52) + ` ${Math.round(rawRate)} /s`,
      `POST /imports?dryRun=true, ${ROWS.toLocaleString('en-GB')} rows`.padEnd(52) +
        ` ${dryRun.seconds.toFixed(2)} s; the event loop held ${dryRun.heldMs.toFixed(0)} ms at most`,
      `POST /imports, ${ROWS.toLocaleString('en-GB')} rows (target < 20 s)`.padEnd(52) +
        ` ${imported.seconds.toFixed(2)} s: ${events.toLocaleString('en-GB')} events, ${Math.round(events / imported.seconds)} /s, ` +
        `${(rawSeconds / imported.seconds).toFixed(2)}× raw writing as many rows one per transaction (${rawSeconds.toFixed(2)} s); ` +
        `the event loop held ${imported.heldMs.toFixed(0)} ms at most (target < 100 ms)`,
      `refusing a zip bomb, a lying zip, a 5 MB cell`.padEnd(52) +
        ` the event loop held ${worst.heldMs.toFixed(0)} ms at most (target < 100 ms); /health answered in ${worst.slowestHealthMs.toFixed(0)} ms at most`,
    ];
  } finally {
    await service.close();
  }
}
