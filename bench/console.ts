// Console bundle: what an agent's browser downloads before the console can start — the entry script,
// its static imports and the stylesheets index.html names (gzip -9, what a server with static
// compression sends) — against its budget; and each lazy chunk (Admin, the alert preferences, …)
// fetched only when its screen is opened.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { ROOT } from './lib/proc.ts';
import { gz } from './widget.ts';

export const CONSOLE_DIST = join(ROOT, 'apps/console/dist');
const BASE = '/console/';
/** The console's initial download budget (entry JS + CSS, gzip -9). */
export const CONSOLE_BUDGET_BYTES = 76_800;

/** Static imports of an ES module (Vite's minified output), not dynamic import(). */
function staticImports(code: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[;}\n])\s*(?:import|export)\s*(?:[^"'();=]*?\bfrom\s*)?["']([^"']+)["']/g;
  for (let m; (m = re.exec(code)); ) out.push(m[1]!);
  return out;
}

/**
 * The files index.html loads at start by construction: its module scripts, stylesheets and
 * modulepreloads, and their static imports (recursively). Lazy chunks are not among them.
 */
export function initialConsoleFiles(dist = CONSOLE_DIST): string[] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const files = new Set<string>();
  const toLocal = (u: string) => (u.startsWith(BASE) ? u.slice(BASE.length) : u.replace(/^\.\//, ''));
  const queue: string[] = [];
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"[^>]*>/g)) {
    const tag = m[0];
    if (tag.startsWith('<link') && !/rel="(stylesheet|modulepreload)"/.test(tag)) continue;
    if (m[1]!.startsWith('data:')) continue;
    queue.push(toLocal(m[1]!));
  }
  while (queue.length) {
    const f = queue.shift()!;
    if (files.has(f) || !existsSync(join(dist, f))) continue;
    files.add(f);
    if (f.endsWith('.js')) for (const i of staticImports(readFileSync(join(dist, f), 'utf8'))) queue.push(posix.join(posix.dirname(f), i));
  }
  return [...files];
}

export async function consoleBundle(o: { log: (s: string) => void; build?: boolean }) {
  const problems: string[] = [];
  if (o.build !== false) {
    try {
      execFileSync('pnpm', ['--filter', '@ajuda/console', 'build'], { cwd: ROOT, stdio: 'pipe', timeout: 300_000 });
      o.log('  console: built @ajuda/console');
    } catch (e) {
      problems.push(`@ajuda/console build failed: ${String((e as { stderr?: Buffer }).stderr ?? e).slice(0, 300)}`);
      o.log(`  console: ${problems.at(-1)}`);
    }
  }
  if (!existsSync(join(CONSOLE_DIST, 'index.html'))) return { error: 'apps/console/dist/index.html is missing', buildProblems: problems };
  const initial = initialConsoleFiles();
  const size = (f: string) => gz(readFileSync(join(CONSOLE_DIST, f)));
  const initialFiles = Object.fromEntries(initial.map((f) => [f, size(f)]));
  const js = initial.filter((f) => f.endsWith('.js')).reduce((n, f) => n + initialFiles[f]!, 0);
  const css = initial.filter((f) => f.endsWith('.css')).reduce((n, f) => n + initialFiles[f]!, 0);
  const lazy = Object.fromEntries(
    readdirSync(join(CONSOLE_DIST, 'assets'))
      .map((f) => `assets/${f}`)
      .filter((f) => !initial.includes(f))
      .sort()
      .map((f) => [f.replace(/-[\w-]{8}\.(js|css)$/, '.$1'), size(f)]),
  );
  const initialGzipBytes = js + css;
  o.log(`  console: initial ${initialGzipBytes} B gzip (JS ${js} + CSS ${css}), budget ${CONSOLE_BUDGET_BYTES} B`);
  return {
    initialGzipBytes,
    initialJsGzipBytes: js,
    initialCssGzipBytes: css,
    indexHtmlGzipBytes: size('index.html'),
    budgetBytes: CONSOLE_BUDGET_BYTES,
    withinBudget: initialGzipBytes <= CONSOLE_BUDGET_BYTES,
    initialFiles,
    lazyGzipBytes: lazy,
    ...(problems.length ? { buildProblems: problems } : {}),
  };
}
