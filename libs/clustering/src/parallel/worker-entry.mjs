// Entry of a clustering worker thread. Loader hooks registered in the main thread (bin/silhouette.mjs
// calls tsx's register()) do not reach worker threads, so register tsx here, with the repository's
// tsconfig as the CLI does, and then load the TypeScript worker. Under `node --import tsx` the
// worker inherits the flag too; tsx copes with both.
import { register } from 'tsx/esm/api';

register({ tsconfig: new URL('../../../../tsconfig.base.json', import.meta.url).pathname });
await import('./clustering.worker.ts');
