import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TestService, startService } from './support/app';

const REDOCLY = join(__dirname, '..', 'node_modules', '.bin', 'redocly');

describe('the OpenAPI document, as the ecosystem’s linter reads it', () => {
  let service: TestService;
  let dir: string;

  beforeAll(async () => {
    service = await startService();
    dir = await mkdtemp(join(tmpdir(), 'openapi-'));
  });
  afterAll(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes Redocly’s recommended rules with no error and no warning', async () => {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify((await service.request('GET', '/docs-json')).body));
    const { stdout } = await promisify(execFile)(
      REDOCLY,
      ['lint', file, '--format=json', `--config=${join(__dirname, '..', '.ci', 'redocly.yaml')}`],
      { maxBuffer: 16 * 1024 * 1024 },
    ).catch((failed: { stdout?: string }) => ({ stdout: failed.stdout ?? '' }));
    const { problems } = JSON.parse(stdout) as {
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };
    expect(
      problems.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.location[0]?.pointer}`),
    ).toEqual([]);
  }, 60_000);
});
