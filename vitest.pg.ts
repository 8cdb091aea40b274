import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// `pnpm test:pg`: the store contract suite and the server's integration suites on PostgreSQL.
// The global setup starts a throwaway cluster (test/pg-setup.ts); AJUDA_STORE=pg makes
// openTestStore() and startTestStack() use a fresh database on it. Suites about the SQLite file
// itself (its writer, checkpointer, backup, crash of a file database) stay in `pnpm test` only.
export default defineConfig({
  test: {
    globalSetup: [fileURLToPath(new URL('./packages/db/test/pg-setup.ts', import.meta.url))],
    env: { AJUDA_STORE: 'pg' },
    projects: [
      {
        extends: true as const,
        test: { name: 'db-pg', root: 'packages/db', include: ['test/store.contract.test.ts', 'test/attachments.contract.test.ts', 'test/pg/**/*.test.ts'] },
      },
      {
        extends: true as const,
        test: {
          name: 'server-pg',
          root: 'apps/server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/e2e/**', 'test/cluster/**', 'test/reliability/backup.test.ts', 'test/reliability/crash.test.ts'],
        },
      },
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
