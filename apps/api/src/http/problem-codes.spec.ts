import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ACTION_STATUSES } from '@app/domain';
import { PROBLEM_CODES } from './problem-codes';
import { problem } from './problem';

const ROOT = join(__dirname, '../../../..');
const STATUS_OF_REFUSAL: Record<string, number> = { InvalidCommand: 400, Forbidden: 403, NotFound: 404, StateConflict: 409 };

/** The service's own source files, tests aside. */
function sources(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sources(path);
    return /(?<!\.(spec|int-spec))\.ts$/.test(entry.name) ? [readFileSync(path, 'utf8')] : [];
  });
}

/** Every code the source throws or answers, with the status it says, where the source says it. */
function codesInSource(): Map<string, number | undefined> {
  const found = new Map<string, number | undefined>();
  for (const text of [...sources(join(ROOT, 'apps')), ...sources(join(ROOT, 'libs'))]) {
    for (const [, refusal, code] of text.matchAll(/new (InvalidCommand|Forbidden|NotFound|StateConflict)\(\s*'([a-z0-9-]+)'/g))
      found.set(code, STATUS_OF_REFUSAL[refusal]);
    if (/new StateConflict\(`action-\$\{action\.status\}`/.test(text))
      for (const status of ACTION_STATUSES) found.set(`action-${status}`, 409);
    for (const [, code] of text.matchAll(/code: '([a-z0-9-]+)'/g)) if (!found.has(code)) found.set(code, undefined);
    for (const [, code] of text.matchAll(/super\('([a-z0-9-]+)'/g)) if (!found.has(code)) found.set(code, undefined);
  }
  return found;
}

describe('the problem codes', () => {
  const registered = new Map(Object.entries(PROBLEM_CODES).map(([code, [status]]) => [code, status as number]));

  it('names every code the service throws, with the status it answers', () => {
    const thrown = codesInSource();
    expect(thrown.size).toBeGreaterThan(30);
    for (const [code, status] of thrown) {
      expect([code, registered.has(code)]).toEqual([code, true]);
      if (status !== undefined) expect([code, registered.get(code)]).toEqual([code, status]);
    }
  });

  it('names no code the service never answers: each is thrown, or is what a status answers without one', () => {
    const thrown = codesInSource();
    for (const [code, status] of registered) {
      expect([code, thrown.has(code) || problem(status, '').code === code]).toEqual([code, true]);
    }
  });

  it('is the table docs/api.md shows', () => {
    const docs = readFileSync(join(ROOT, 'docs/api.md'), 'utf8');
    const rows = [...docs.matchAll(/^\| `([a-z0-9-]+)` \| (\d{3}) \|/gm)].map(([, code, status]) => [code, Number(status)]);
    expect(rows).toEqual([...registered]);
  });
});
