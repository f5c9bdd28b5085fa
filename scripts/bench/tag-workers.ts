/**
 * Scale-out helpers of `bench -- scale --tag-workers N`: extra `silhouette start --role worker`
 * processes on the bench's database and queue, and the CPU seconds of every process the tag step
 * uses (read from /proc, so that a process's share is measured, not guessed from the load).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import type { Queryable } from '@silhouette/db';
import { CLI } from './common';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User + system CPU seconds of a process (0 once it is gone). */
export function cpuSeconds(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces) are space-separated; utime and stime
    // are the 14th and 15th fields of the whole line.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The pid of the Redis server on this machine (the bench's services), if one is visible. */
export function redisPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'redis-server')
        return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

/** CPU seconds of the PostgreSQL backends connected to this database, by pid. */
export async function postgresBackendCpu(db: Queryable): Promise<Map<number, number>> {
  const result = await db.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = current_database()',
  );
  return new Map(result.rows.map((row) => [Number(row.pid), cpuSeconds(Number(row.pid))]));
}

/** CPU used by the backends between two readings (backends that ended in between are not seen). */
export function backendCpuBetween(before: Map<number, number>, after: Map<number, number>) {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

export interface TagWorkerProcess {
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `silhouette start --role worker` and resolves once it says it is running. */
export async function startTagWorker(env: Record<string, string>): Promise<TagWorkerProcess> {
  const child = spawn(process.execPath, [CLI, 'start', '--role', 'worker'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (/Silhouette is running/.test(out)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`tag worker exited with ${code}`)));
  });
  return {
    child,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
