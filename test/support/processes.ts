import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '@app/infrastructure';

const ROOT = join(__dirname, '..', '..');
export const REGISTER_TS = join(__dirname, 'register-ts.js');

/** Starts one of our TypeScript entry points as a real child process, as its build would run; as another OS user, given one. */
export function spawnTs(entry: string, env: Record<string, string>, user: { uid?: number; gid?: number } = {}): ChildProcess {
  return spawn(process.execPath, ['-r', REGISTER_TS, join(ROOT, entry)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...user,
  });
}

/** Resolves with the first line of the child's stdout that matches, or rejects when it exits first. */
export function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => finish(new Error(`no line matching ${pattern} within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const match = line.match(pattern);
        if (match) return finish(undefined, match);
      }
    };
    const onExit = (code: number | null) => finish(new Error(`exited with ${code} before printing ${pattern}`));
    const finish = (error?: Error, match?: RegExpMatchArray) => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(match!);
    };
    child.stdout!.on('data', onData);
    child.once('exit', onExit);
  });
}

export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

export type ServiceProcess = Readonly<{ url: string; child: ChildProcess; output: () => string }>;

/** The service's own entry point as a separate process on a free port, once it says it is listening; its stdout is kept. */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawnTs('apps/api/src/main.ts', { PORT: String(port), HOST: '127.0.0.1', ...env });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await waitForLine(child, /"msg":"listening"/, 60_000);
  return { url: `http://127.0.0.1:${port}`, child, output: () => output };
}
