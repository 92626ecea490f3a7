import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test/jest.config.js'] },
  { files: ['**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  ...tseslint.configs.recommended,
  { files: ['**/*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-console': 'error',
    },
  },
  {
    // A function with more paths than this is split: a table of handlers, or steps with names.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    rules: { complexity: ['error', 15] },
  },
);
