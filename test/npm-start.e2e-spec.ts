import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@app/infrastructure';
import { AUDIT_SIGNING_KEY, DEV_SECRET } from './support/app';
import { killHard, waitForLine } from './support/processes';

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const answers = (url: string) =>
  fetch(`${url}/health`).then(
    (response) => response.ok,
    () => false,
  );

async function within(ms: number, done: () => Promise<boolean>): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
    if (await done()) return true;
  }
  return done();
}

describe('npm start, as a person runs it', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    'stops the service and its embedded database within 10 s of %s to npm',
    async (signal) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'npm-start-'));
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const npm = spawn('npm', ['start'], {
        cwd: join(__dirname, '..'),
        env: {
          PATH: process.env.PATH!,
          HOME: process.env.HOME ?? tmpdir(),
          AUTH_DEV_SECRET: DEV_SECRET,
          AUDIT_SIGNING_KEY,
          PORT: String(port),
          HOST: '127.0.0.1',
          DATA_DIR: dataDir,
          DEMO: 'off',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        // A group of its own, so that a failing run leaves nothing behind: npm, its shell and node go together.
        detached: true,
      });
      let postmaster = 0;
      try {
        await waitForLine(npm, /"msg":"listening"/, 120_000);
        postmaster = Number((await readFile(join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
        expect(await answers(url)).toBe(true);
        expect(isAlive(postmaster)).toBe(true);

        npm.kill(signal);
        const stopped = await within(10_000, async () => !(await answers(url)) && !isAlive(postmaster));

        expect({ serviceAnswers: await answers(url), databaseRuns: isAlive(postmaster), stopped }).toEqual({
          serviceAnswers: false,
          databaseRuns: false,
          stopped: true,
        });
      } finally {
        for (const pid of [-npm.pid!, postmaster]) if (pid && isAlive(Math.abs(pid))) process.kill(pid, 'SIGKILL');
        await killHard(npm);
        await rm(dataDir, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
