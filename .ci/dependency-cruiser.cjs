/** Dependency rules checked in CI: the domain stays framework-free, libs never reach into apps or tests, apps share only through libs. */
/** A file of a lib that is not one of its entry points. */
const INTERNAL = '(?!index\\.ts$|testing/index\\.ts$)';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-framework-free',
      comment: 'The domain imports no NestJS, no database client, no HTTP or crypto, no other lib.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: {
        path: [
          '@nestjs',
          'node_modules/(pg|jose|fastify|class-validator|class-transformer|rxjs)/',
          '^libs/(?!domain/)',
          '^apps/',
          'node:crypto',
          '^crypto$',
        ],
      },
    },
    {
      name: 'projection-runner-is-generic',
      comment: 'The runner knows events and tables, not what the read models mean.',
      severity: 'error',
      from: { path: '^libs/projections/' },
      to: { path: '^libs/(domain|read-models)/' },
    },
    {
      name: 'the-store-knows-nothing-of-the-audit',
      comment:
        'The audit verifies what a store holds, through the port and the capabilities it asks for; the store needs nothing of it (its tests may).',
      severity: 'error',
      from: { path: '^libs/event-store/src/', pathNot: ['^libs/event-store/src/testing/', '\\.(spec|int-spec)\\.ts$'] },
      to: { path: '^libs/audit/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-do-not-import-each-other',
      comment: 'What two apps share lives in a lib. The benchmarks are the exception: they start the service and measure its parts.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/cli/src/bench/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-do-not-import-tests',
      comment: 'Shared test support lives in libs/testing, which test/ uses too.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^test/' },
    },
    {
      name: 'a-lib-through-its-index',
      comment: 'Another lib is used through its index (@app/<lib>), or its testing index for tests, never by a path into its files.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/' },
      to: { path: `^libs/(?!$1/)[^/]+/src/${INTERNAL}` },
    },
    {
      name: 'apps-and-tests-use-libs-through-their-index',
      comment:
        'As for libs; the test run starts the embedded server and the EventStoreDB container from their files, before any alias resolves.',
      severity: 'error',
      from: { path: '^(apps|test)/', pathNot: '^test/support/global-setup\\.ts$' },
      to: { path: `^libs/[^/]+/src/${INTERNAL}` },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: ['dist', 'node_modules'] },
  },
};
