import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { config } from 'zod/v4/core';

// The page's CSP has no 'unsafe-eval'. zod (only in the intake chunk, for validateIntake) probes
// `new Function` when its object schemas are built unless its global config says jitless first.
// The browser check is the e2e test (no CSP report while the intake form opens).
describe('zod under the CSP', () => {
  it('the intake chunk imports the jitless setup before anything else, so it runs before any schema is built', () => {
    const src = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../src/ui/IntakeForm.tsx'), 'utf8');
    const imports = [...src.matchAll(/^import\s.*?['"]([^'"]+)['"];?$/gm)].map((m) => m[1]);
    expect(imports[0]).toBe('../zod-jitless.ts');
    expect(imports).toContain('@ajuda/protocol');
  });

  it('the setup turns zod jitless', async () => {
    await import('../src/zod-jitless.ts');
    expect(config().jitless).toBe(true);
  });
});
