import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard reads the API only; it is built into dist/dashboard and served by the API.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  build: {
    outDir: fileURLToPath(new URL('../../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000', '/ready': 'http://127.0.0.1:3000' } },
});
