import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { ROOT } from './harness.ts';

/**
 * Bundle a server entry once, so each restart in the crash rounds costs the server's own start
 * (open the database, migrate, listen), not a TypeScript compile of the whole workspace on a
 * loaded machine. Workspace sources are bundled; npm packages stay external, imported by their
 * resolved absolute path (they live in different packages' node_modules). `import.meta.url` in
 * workspace files is pinned to the original file so relative paths (migrations) still resolve.
 */
export async function bundleEntry(entry: string, outDir: string): Promise<string> {
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'server.mjs');
  const plugin: Plugin = {
    name: 'workspace-only',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'inner') return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'inner' });
        if (r.errors.length) return { errors: r.errors };
        if (r.external) return { path: r.path, external: true };
        if (r.path.includes('/node_modules/') && !r.path.includes('/node_modules/@ajuda/')) return { path: r.path, external: true };
        return { path: r.path };
      });
      b.onLoad({ filter: /\.tsx?$/ }, (args) => {
        if (args.path.includes('/node_modules/.pnpm/')) return undefined;
        const src = readFileSync(args.path, 'utf8').replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href));
        return { contents: src, loader: args.path.endsWith('x') ? 'tsx' : 'ts', resolveDir: join(args.path, '..') };
      });
    },
  };
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    plugins: [plugin],
    logLevel: 'error',
    absWorkingDir: ROOT,
  });
  return out;
}
