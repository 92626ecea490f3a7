import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..');
const DEPCRUISE = join(ROOT, 'node_modules', '.bin', 'depcruise');

/** A file planted where it does not belong: the import it makes, and the rules CI's dependency check must name for it. */
type Planted = Readonly<{ folder: string; imports: string; breaks: string[] }>;

const PLANTED: readonly Planted[] = [
  { folder: 'libs/domain/src', imports: 'node:fs', breaks: ['domain-imports-only-itself'] },
  { folder: 'libs/domain/src/actions', imports: 'rxjs', breaks: ['domain-imports-only-itself'] },
  { folder: 'libs/domain/src', imports: '@app/event-store', breaks: ['domain-imports-only-itself'] },
  { folder: 'apps/api/src/http', imports: '../imports/plan-file', breaks: ['generic-folders-import-no-feature'] },
  { folder: 'apps/api/src/files', imports: '../actions/action.queries', breaks: ['generic-folders-import-no-feature'] },
  { folder: 'apps/api/src/reads', imports: '../audit/audit-checkpoints', breaks: ['generic-folders-import-no-feature'] },
  { folder: 'apps/api/src/web', imports: '@app/event-store', breaks: ['pages-never-touch-the-store'] },
  { folder: 'libs/read-models/src', imports: '../../../apps/api/src/clock/clock', breaks: ['libs-do-not-import-apps'] },
  {
    folder: 'apps/api/src/reviews',
    imports: '../../../../libs/read-models/src/review-list.projection',
    breaks: ['apps-and-tests-use-libs-through-their-index'],
  },
  // What the rules allow: a feature uses the generic folders, and the pages the features' queries.
  { folder: 'apps/api/src/actions', imports: '../http/problem', breaks: [] },
  { folder: 'apps/api/src/web', imports: '../actions/action.queries', breaks: [] },
];

describe('the dependency rules CI checks', () => {
  it('name each import that breaks them, and no import that does not', async () => {
    const files = PLANTED.map((planted) => ({ ...planted, path: `${planted.folder}/planted-${randomUUID()}.ts` }));
    try {
      await Promise.all(files.map((file) => writeFile(join(ROOT, file.path), `import '${file.imports}';\n`)));
      const { stdout } = await promisify(execFile)(
        DEPCRUISE,
        ['-c', '.ci/dependency-cruiser.cjs', '--output-type', 'json', ...files.map((file) => file.path)],
        { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
      ).catch((failed: { stdout?: string }) => ({ stdout: failed.stdout ?? '' }));
      const violations = (JSON.parse(stdout) as { summary: { violations: { from: string; rule: { name: string } }[] } }).summary.violations;
      const named = files.map((file) => ({
        [`${file.folder} importing ${file.imports}`]: violations
          .filter((violation) => violation.from === file.path)
          .map((v) => v.rule.name),
      }));
      expect(named).toEqual(files.map((file) => ({ [`${file.folder} importing ${file.imports}`]: file.breaks })));
      expect(violations.filter((violation) => !files.some((file) => file.path === violation.from))).toEqual([]);
    } finally {
      await Promise.all(files.map((file) => rm(join(ROOT, file.path), { force: true })));
    }
  }, 60_000);
});
