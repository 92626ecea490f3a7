import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AUDITOR, TestService, seedAction, startService } from './support/app';
import { pause } from './support/projection-checks';
import { REGISTER_TS } from './support/processes';

describe('npm run cli -- audit export / verify, without the service', () => {
  let service: TestService;
  let dir: string;
  const cli = (...args: string[]) =>
    promisify(execFile)(process.execPath, ['-r', REGISTER_TS, 'apps/cli/src/main.ts', 'audit', ...args], {
      env: { PATH: process.env.PATH!, DATABASE_URL: service.database.url },
      cwd: process.cwd(),
      timeout: 60_000,
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-cli-'));
    service = await startService({ env: { AUDIT_CHECKPOINT_EVERY: '4' } });
    for (let i = 0; i < 3; i++) await seedAction(service, [`partner-${i}`]);
    for (let tries = 0; tries < 100; tries++, await pause(50)) {
      if ((await service.request('GET', '/audit/checkpoints', { as: AUDITOR })).body.length >= 2) break;
    }
    await writeFile(join(dir, 'key.pem'), (await service.request('GET', '/audit/public-key', { as: AUDITOR })).body.publicKey);
    await writeFile(join(dir, 'kept.json'), JSON.stringify((await service.request('GET', '/audit/checkpoints', { as: AUDITOR })).body));
    await writeFile(join(dir, 'other.pem'), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
  });
  afterAll(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('exports the log and verifies the export against the checkpoints under a key the auditor holds', async () => {
    const exported = await cli('export', '--out', join(dir, 'log.ndjson'));
    expect(exported.code).toBe(0);
    const lines = (await readFile(join(dir, 'log.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ kind: 'head', position: String(await service.headPosition()) });
    expect(lines.filter((line) => line.kind === 'checkpoint').length).toBeGreaterThanOrEqual(2);

    const verified = await cli(
      'verify',
      join(dir, 'log.ndjson'),
      '--public-key',
      join(dir, 'key.pem'),
      '--checkpoints',
      join(dir, 'kept.json'),
    );
    expect(verified.code).toBe(0);
    expect(JSON.parse(verified.stdout)).toEqual({
      ok: true,
      checked: await service.headPosition(),
      head: String(await service.headPosition()),
    });
    expect((await cli('verify', '--database', '--public-key', join(dir, 'key.pem'))).code).toBe(0);
  });

  it('finds an event edited in the export, and checkpoints that do not verify under the trusted key', async () => {
    const text = await readFile(join(dir, 'log.ndjson'), 'utf8');
    const edited = text.replace(/"type":"ActionRaised","data":\{/, '"type":"ActionRaised","data":{"extra":1,');
    expect(edited).not.toBe(text);
    await writeFile(join(dir, 'edited.ndjson'), edited);
    const tampered = await cli('verify', join(dir, 'edited.ndjson'));
    expect(tampered.code).toBe(1);
    expect(JSON.parse(tampered.stdout)).toMatchObject({
      ok: false,
      firstBad: { reason: 'altered', stream: expect.stringMatching(/^action-/) },
    });

    const otherKey = await cli('verify', join(dir, 'log.ndjson'), '--public-key', join(dir, 'other.pem'));
    expect(otherKey.code).toBe(1);
    expect(JSON.parse(otherKey.stdout)).toMatchObject({ ok: false, firstBad: { reason: 'checkpoint-signature' } });
  });
});
