/**
 * `npm run bench -- <name> [args]`: runs scripts/bench/<name>.ts (ingest, tagging, clustering, api).
 * Each benchmark prints its figures (machine, command, results) and exits non-zero on failure.
 */
import { readdirSync } from 'node:fs';

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(new URL('./bench/', import.meta.url))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [args]`);
  process.exit(2);
}
const mod = (await import(`./bench/${name}.ts`)) as { main: (args: string[]) => Promise<void> };
await mod.main(args);
