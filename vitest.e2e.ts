import { defineConfig } from 'vitest/config';

// Browser end-to-end tests: real Chromium (Debian's /usr/bin/chromium) driven by playwright-core
// against a whole stack on loopback. One file at a time: two cores, one browser.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    include: ['packages/*/test/e2e/**/*.e2e.test.{ts,tsx}', 'apps/*/test/e2e/**/*.e2e.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
