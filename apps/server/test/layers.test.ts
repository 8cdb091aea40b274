import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layering of docs/architecture.md, checked on the source: domains never reach up into the
// gateway, and only the fan-out module touches the hub or sockets.
const src = new URL('../src/', import.meta.url).pathname;
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
const offenders = (dir: string, re: RegExp) => files(join(src, dir)).filter((f) => re.test(readFileSync(f, 'utf8'))).map((f) => relative(src, f));

describe('layers', () => {
  it('no file under domains/ imports from gateway/', () => {
    expect(offenders('domains', /from '[^']*gateway\//)).toEqual([]);
  });
  it('domain and session code never touch the hub: they emit events, the fan-out sends frames', () => {
    expect(offenders('domains', /\.hub\b/)).toEqual([]);
    expect(offenders('session', /\.hub\b/)).toEqual([]);
  });
});
