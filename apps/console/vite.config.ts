import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// Served by the Ajuda server at /console/ under a CSP without inline scripts: Vite emits only
// external module scripts, and the modulepreload polyfill (an inline-free but extra chunk) is
// off because every browser the console supports has native modulepreload.
export default defineConfig({
  base: '/console/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
  server: {
    // `pnpm --filter @ajuda/console dev` against a local server on :3000.
    proxy: {
      '/api': 'http://localhost:3000',
      '/ws': { target: 'ws://localhost:3000', ws: true },
    },
  },
});
