/**
 * `npm run eval -- <name> [args]`: runs scripts/eval/<name>.ts (tagging, pii, clustering, ...).
 * Each evaluation prints its figures and exits non-zero on failure.
 */
import { readdirSync } from 'node:fs';

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(new URL('./eval/', import.meta.url))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
  .map((f) => f.replace(/\.ts$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run eval -- <${available.join('|')}> [args]`);
  process.exit(2);
}
const mod = (await import(`./eval/${name}.ts`)) as { main: (args: string[]) => Promise<void> };
await mod.main(args);
