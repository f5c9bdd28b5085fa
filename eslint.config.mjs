// Lint with zero warnings. Module boundaries (Nx tags in each project.json) keep the sealed
// library out of the API and the dashboard: scope:api and scope:frontend may not reach scope:sealed.
// The analyst (libs/analyst, scope:analyst) sits outside the boundary like the API.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      '.silhouette/',
      '.silhouette-test/',
      'test-artifacts/',
      '.nx/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['apps/dashboard/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            {
              sourceTag: 'scope:api',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:analyst'],
            },
            { sourceTag: 'scope:analyst', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:frontend', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            {
              sourceTag: 'scope:sealed',
              onlyDependOnLibsWithTags: ['scope:shared', 'scope:sealed'],
            },
            {
              sourceTag: 'scope:operator',
              onlyDependOnLibsWithTags: [
                'scope:shared',
                'scope:sealed',
                'scope:api',
                'scope:analyst',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    // Tests verify across the boundary on purpose (e.g. that ingest really sealed the content),
    // and may use `any` for parsed HTTP bodies. The boundary rule guards production code.
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@nx/enforce-module-boundaries': 'off' },
  },
);
