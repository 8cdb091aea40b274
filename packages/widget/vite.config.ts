import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// The widget app, served by the Ajuda server at /widget/frame/ inside the iframe. The page's CSP
// forbids inline scripts and eval: Vite's output is external module scripts only.
export default defineConfig({
  base: '/widget/frame/',
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // ES2022, as the code already needs (Object.hasOwn, Array.prototype.at) and as tsconfig says: class
    // fields stay native instead of pulling in defineProperty/typeof helpers (~300 B gzip of the entry).
    target: 'es2022',
    // No modulepreload polyfill: it is inlined into the entry chunk and every browser we target
    // (module scripts + dynamic import) already supports modulepreload or ignores it harmlessly.
    modulePreload: { polyfill: false },
    reportCompressedSize: true,
  },
  server: { port: 5174 },
});
