// Lets `node -r ./test/support/register-ts.js file.ts` run our TypeScript sources, compiled by swc
// on the fly with the tsconfig path aliases, so tests can start real child processes from source.
const { transformFileSync } = require('@swc/core');
const Module = require('node:module');
const path = require('node:path');
const { compilerOptions } = require('../../tsconfig.json');

const root = path.resolve(__dirname, '..', '..');
const aliases = Object.fromEntries(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, path.join(root, target)]));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolve.call(this, aliases[request] ?? request, ...rest);
};
require.extensions['.ts'] = (module, filename) => {
  const { code } = transformFileSync(filename, {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
