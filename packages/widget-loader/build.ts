// Builds the loader's two stages into dist/ (`pnpm build`): loader.js (stage 1, what a host page
// loads at start) and loader-frame.js (stage 2, fetched on first open). Fields ending in `_` are
// shared between the stages and renamed by the minifier: stage 2 is built first and its renames are
// handed to stage 1's build through the mangle cache, so both files agree on every name.
import { build, type BuildOptions } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * Builds both stages into `outdir` and returns their paths.
 * @example const { loader, frame } = await buildLoader('/tmp/out');
 */
export async function buildLoader(outdir = here('dist')): Promise<{ loader: string; frame: string }> {
  const common: BuildOptions = {
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    legalComments: 'none',
    // No "use strict" prologue (13 bytes of the 1,536 B budget): the code is written strict-clean and
    // type-checked; the directive would change nothing on the host page outside our IIFE.
    tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
    mangleProps: /_$/,
    logLevel: 'warning',
  };
  const loader = `${outdir}/loader.js`;
  const frame = `${outdir}/loader-frame.js`;
  const stage2 = await build({ ...common, entryPoints: [here('src/frame-entry.ts')], outfile: frame, mangleCache: {} });
  await build({ ...common, entryPoints: [here('src/snippet-entry.ts')], outfile: loader, mangleCache: stage2.mangleCache });
  return { loader, frame };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildLoader();
