/** The `silhouette` command as a real process on an embedded data directory (no services). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const CLI = fileURLToPath(new URL('../../bin/silhouette.mjs', import.meta.url));
const run = promisify(execFile);

/** Runs `silhouette <args>` in embedded mode on `dir/data`; rejects with `{code, stderr}` on failure. */
export function embeddedCli(
  dir: string,
  timeoutMs = 180_000,
  env: Readonly<Record<string, string>> = {},
) {
  return (args: string[]) =>
    run(process.execPath, [CLI, ...args], {
      env: {
        ...process.env,
        ...env,
        DATABASE_URL: '',
        REDIS_URL: '',
        SILHOUETTE_DATA_DIR: join(dir, 'data'),
        LOG_LEVEL: 'silent',
      },
      timeout: timeoutMs,
    });
}
