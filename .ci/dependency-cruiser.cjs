/** Dependency rules checked in CI: the domain stays framework-free, and libs never reach into apps. */
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
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
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
