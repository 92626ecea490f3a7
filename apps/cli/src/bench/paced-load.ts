import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export type PacedLoad = Readonly<{ url: string; token: string; rate: number; seconds: number; connections: number; body: object }>;
export type PacedLoadResult = Readonly<{ sent: number; ok: number; failed: number; seconds: number }>;

/**
 * POSTs offered at an even pace: request i is sent at i / rate seconds, on at most `connections`
 * sockets. autocannon's rate sends each second's share at once and then waits, so what it
 * measures while "at a rate" is bursts. Run as its own process (see bench-kit).
 */
export function offerPacedLoad({ url, token, rate, seconds, connections, body }: PacedLoad): Promise<PacedLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const payload = JSON.stringify(body);
  const total = Math.round(rate * seconds);
  const started = performance.now();
  let sent = 0;
  let ok = 0;
  let failed = 0;
  return new Promise((done) => {
    const settle = (succeeded: boolean) => {
      if (succeeded) ok += 1;
      else failed += 1;
      if (ok + failed === total) {
        agent.destroy();
        done({ sent, ok, failed, seconds: (performance.now() - started) / 1000 });
      }
    };
    const send = () => {
      sent += 1;
      const outgoing = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        },
        (response) => {
          response.resume();
          response.on('end', () => settle(response.statusCode !== undefined && response.statusCode < 300));
        },
      );
      outgoing.on('error', () => settle(false));
      outgoing.end(payload);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      while (sent < due) send();
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}

if (require.main === module) {
  offerPacedLoad(JSON.parse(process.argv[2]) as PacedLoad).then((result) => process.stdout.write(JSON.stringify(result)));
}
