import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'coverage', 'src/core/api/generated'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The pure core may use node:net only for its address predicates, never for sockets (the
    // layers themselves are dependency-cruiser's job: .dependency-cruiser.cjs).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'node:net',
              allowImportNames: ['isIP', 'isIPv4', 'isIPv6'],
              message: 'src/core is pure: only the address predicates of node:net.',
            },
          ],
        },
      ],
    },
  },
);
