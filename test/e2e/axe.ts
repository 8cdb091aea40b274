// axe-core in a real frame: its source is injected into the frame under test (the widget iframe, the
// console page) and run on the whole document; only serious and critical violations count.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Frame, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** One serious or critical violation, as a line a person can act on. */
export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Run axe-core on a frame's document (or only under `include`, a CSS selector) and return its serious
 * and critical violations.
 * @example expect(await axeSerious(widgetFrame(page), 'widget home')).toEqual([]);
 */
export async function axeSerious(target: Page | Frame, include?: string): Promise<AxeFinding[]> {
  const frame = 'mainFrame' in target ? target.mainFrame() : target;
  if (!(await frame.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'object'))) {
    // Evaluated through the DevTools protocol, so the frame's CSP does not apply to it.
    await frame.evaluate(AXE_SOURCE);
  }
  const found = await frame.evaluate(async (sel) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }> }> } }).axe;
    const r = await axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? 'unknown', help: v.help, targets: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  }, include ?? null);
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The findings as one readable block for an assertion message. */
export const axeReport = (where: string, findings: AxeFinding[]): string => findings.map((f) => `${where}: [${f.impact}] ${f.id} — ${f.help} at ${f.targets.join(', ')}`).join('\n');
