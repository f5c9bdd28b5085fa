/**
 * The analyst sits outside the sealed boundary: the Nx module-boundary rule (tags in project.json,
 * constraints in eslint.config.mjs) must stop it from importing libs/sealed, while the API may
 * import it. Linted through ESLint's API on probe sources, as `npm run lint` would see them.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const RULE = '@nx/enforce-module-boundaries';

async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(source, {
    filePath: `${ROOT}${filePath}`,
  });
  return result!.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

describe('module boundary of libs/analyst', () => {
  beforeAll(() => {
    // The rule reads Nx's project graph; without one it skips itself (and this test would pass
    // for the wrong reason), so compute it first, as scripts/test.sh does before linting.
    execFileSync('npx', ['nx', 'show', 'projects'], {
      cwd: ROOT,
      env: { ...process.env, NX_DAEMON: 'false' },
      stdio: 'ignore',
    });
  }, 120_000);

  it('cannot import the sealed library', async () => {
    const errors = await boundaryErrors(
      'libs/analyst/src/boundary-probe.ts',
      "import { SealedConversationStore } from '@silhouette/sealed';\nexport const probe = SealedConversationStore;\n",
    );
    expect(errors.join('\n')).toMatch(
      /scope:analyst" can only depend on libs tagged with "scope:shared"/,
    );
  }, 60_000);

  it('may be imported by the API, and may import shared libraries', async () => {
    expect(
      await boundaryErrors(
        'apps/api/src/boundary-probe.ts',
        "import { AskService } from '@silhouette/analyst';\nexport const probe = AskService;\n",
      ),
    ).toEqual([]);
    expect(
      await boundaryErrors(
        'libs/analyst/src/boundary-probe.ts',
        "import { InsightsRepository } from '@silhouette/db';\nexport const probe = InsightsRepository;\n",
      ),
    ).toEqual([]);
  }, 60_000);
});
