import { readdirSync, existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// The root Vitest config. Vitest 4 no longer reads workspace files, so this file is
// passed with --config and declares one project per package and app.
// Browser (Chromium) end-to-end tests live in vitest.e2e.ts and run with `pnpm test:e2e`.
const DOM_PROJECTS = new Set(['widget', 'widget-loader', 'console', 'i18n']);

const dirs = ['packages', 'apps'].flatMap((group) =>
  readdirSync(group, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(`${group}/${d.name}/package.json`))
    .map((d) => ({ group, name: d.name })),
);

export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    projects: [
      ...dirs.map(({ group, name }) => ({
        extends: true as const,
        test: {
          name,
          root: `${group}/${name}`,
          include: ['src/**/*.test.{ts,tsx}', 'test/**/*.test.{ts,tsx}'],
          exclude: ['**/node_modules/**', '**/dist/**', 'test/e2e/**', 'test/pg/**', 'test/cluster/**'],
          environment: DOM_PROJECTS.has(name) ? 'happy-dom' : 'node',
          ...(name === 'console' ? { setupFiles: ['test/setup.ts'] } : name === 'widget' ? { setupFiles: ['../../test/no-server.ts'] } : {}),
        },
      })),
      {
        extends: true as const,
        test: { name: 'repo', root: '.', include: ['test/**/*.test.ts'] },
      },
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
