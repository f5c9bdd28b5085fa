#!/usr/bin/env node
// Entry point of the `silhouette` CLI: runs the TypeScript sources through tsx (no build step).
import { register } from 'tsx/esm/api';

register({ tsconfig: new URL('../tsconfig.base.json', import.meta.url).pathname });
const { main } = await import('../apps/cli/src/main.ts');
const code = await main(process.argv.slice(2));
if (code >= 0) process.exit(code);
