// The console's size budget, checked on the build `pnpm test:e2e` has just made: what an agent's browser
// downloads before the console starts (entry JS, its static imports, the stylesheet; gzip -9) stays within
// 76,800 B, and the screens only some open (Admin, the alert preferences) stay out of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONSOLE_BUDGET_BYTES, CONSOLE_DIST, initialConsoleFiles } from '../../../../bench/console.ts';
import { gz } from '../../../../bench/widget.ts';

describe('console bundle budget', () => {
  it('the initial download is within 76,800 B gzip and carries no lazy screen', () => {
    const files = initialConsoleFiles();
    const total = files.filter((f) => /\.(js|css)$/.test(f)).reduce((n, f) => n + gz(readFileSync(join(CONSOLE_DIST, f))), 0);
    expect(files.some((f) => f.endsWith('.js'))).toBe(true);
    expect(files.filter((f) => /Admin|Prefs|sound/.test(f))).toEqual([]);
    expect(total, `initial download ${total} B: ${files.join(', ')}`).toBeLessThanOrEqual(CONSOLE_BUDGET_BYTES);
  });
});
