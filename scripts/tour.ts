// `pnpm tour`: regenerates the screenshot gallery of docs/tour.md. It builds nothing itself (run
// `pnpm build` first); it runs the journeys suite in Chromium with AJUDA_TOUR_DIR set, so the journeys
// write their curated shots (test/e2e/tour-list.ts) as JPEG into docs/tour/, then writes docs/tour.md.
// A journey that fails still leaves the shots it took; a missing shot is reported and the script fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOUR, tourFile } from '../test/e2e/tour-list.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const dir = join(root, 'docs', 'tour');
const MAX_BYTES = 3 * 1024 * 1024;

rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
// Each journey name is its test file's name.
const journeys = [...new Set(TOUR.map((t) => t.journey))].map((j) => `apps/demo/test/e2e/journeys/${j}.e2e.test.ts`);
const run = spawnSync('pnpm', ['exec', 'vitest', 'run', '--config', 'vitest.e2e.ts', ...journeys], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, AJUDA_TOUR_DIR: dir },
});

const missing = TOUR.filter((t) => !existsSync(join(dir, tourFile(t))));
const sections = [...new Set(TOUR.map((t) => t.section))];
const lines = [
  '# A tour of Ajuda',
  '',
  'What a requester and a support engineer see, captured by the browser journeys (`apps/demo/test/e2e/journeys/`) in',
  'Chromium against the demo: the widget on the three demo pages, on a phone, in three languages, and the agent',
  'console. Regenerate with `pnpm build && pnpm tour`.',
  '',
];
for (const section of sections) {
  lines.push(`## ${section}`, '');
  for (const t of TOUR.filter((x) => x.section === section && !missing.includes(x))) {
    lines.push(`![${t.caption.replace(/[[\]`]/g, '')}](tour/${tourFile(t)})`, '', t.caption, '');
  }
}
writeFileSync(join(root, 'docs', 'tour.md'), lines.join('\n'));

const bytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
console.log(`tour: ${TOUR.length - missing.length}/${TOUR.length} pictures, ${(bytes / 1024).toFixed(0)} KB in docs/tour/`);
if (missing.length) console.error(`tour: missing ${missing.map(tourFile).join(', ')} (journeys exit code ${run.status})`);
if (bytes > MAX_BYTES) console.error(`tour: docs/tour/ is over ${MAX_BYTES / 1024 / 1024} MB`);
process.exit(missing.length || bytes > MAX_BYTES ? 1 : 0);
