/**
 * Three test tiers (STYLE.md): unit specs next to the code, integration specs against real
 * PostgreSQL/Redis/PGlite, end-to-end suites in test/e2e. `scripts/test.sh` provisions services first.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const tsconfig = JSON.parse(
  readFileSync(new URL('./tsconfig.base.json', import.meta.url), 'utf8'),
) as {
  compilerOptions: { paths: Record<string, string[]> };
};
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
// tsconfig paths as exact-match aliases; `name/*` entries map the rest of the specifier.
const alias = Object.entries(tsconfig.compilerOptions.paths).map(([name, [target]]) =>
  name.endsWith('/*')
    ? {
        find: new RegExp(`^${escape(name.slice(0, -2))}/(.*)$`),
        replacement: `${root}${target!.replace(/^\.\//, '').replace('*', '$1')}`,
      }
    : {
        find: new RegExp(`^${escape(name)}$`),
        replacement: `${root}${target!.replace(/^\.\//, '')}`,
      },
);
const exclude = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  resolve: { alias },
  test: {
    reporters: ['default'],
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts', 'scripts/**/*.spec.ts'],
          exclude: [...exclude, '**/*.int.spec.ts'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'int',
          include: ['apps/**/*.int.spec.ts', 'libs/**/*.int.spec.ts', 'test/int/**/*.int.spec.ts'],
          exclude,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.spec.ts'],
          exclude,
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
