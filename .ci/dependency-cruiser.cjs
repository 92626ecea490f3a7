/** Dependency rules checked in CI: the domain stays framework-free, libs never reach into apps or tests, apps share only through libs. */
/** A file of a lib that is not one of its entry points. */
const INTERNAL = '(?!index\\.ts$|testing/index\\.ts$)';
/** The service's folders that serve every feature: HTTP, files, reads and writes, sign-in, configuration, words. */
const GENERIC = '(auth|clock|config|database|files|http|observability|reads|types|words|write)';

module.exports = {
  forbidden: [
    {
      name: 'domain-imports-only-itself',
      comment: 'The domain is rules and nothing else: no framework, no package, no Node module, no other lib.',
      severity: 'error',
      from: { path: '^libs/domain/' },
      to: { pathNot: '^libs/domain/' },
    },
    {
      name: 'generic-folders-import-no-feature',
      comment:
        'What serves every feature knows none: a feature that needs something of it is given a port (an error that answers for itself, a hook).',
      severity: 'error',
      from: { path: `^apps/api/src/${GENERIC}/` },
      to: { path: `^apps/api/src/(?!${GENERIC}/)[^/]+/` },
    },
    {
      name: 'pages-never-touch-the-store',
      comment: 'The pages read through the queries and write through the commands, as the API does, never the log itself.',
      severity: 'error',
      from: { path: '^apps/api/src/web/' },
      to: { path: '^libs/event-store/' },
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
    exclude: { path: '^dist/' },
  },
};
