/**
 * PGlite is one backend per data directory: a second process opening it would corrupt it.
 * Embedded commands take this lock file (with the owner's pid) and refuse politely if it is held.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InputError } from './cli-error';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireEmbeddedLock(dataDir: string, command: string): () => void {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'embedded.lock');
  try {
    writeFileSync(file, JSON.stringify({ pid: process.pid, command }), { flag: 'wx' });
  } catch {
    let holder: { pid?: number; command?: string } = {};
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
    } catch {
      // unreadable lock: treat as stale
    }
    if (holder.pid && holder.pid !== process.pid && alive(holder.pid)) {
      throw new InputError(
        `the embedded database in ${dir} is in use by process ${holder.pid} (silhouette ${holder.command ?? '?'}); ` +
          'stop it first, or send data through the HTTP API',
      );
    }
    writeFileSync(file, JSON.stringify({ pid: process.pid, command }));
  }
  return () => rmSync(file, { force: true });
}
