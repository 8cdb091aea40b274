import axe from 'axe-core';
import { describe, expect, it } from 'vitest';
import { renderScreen, SCREENS } from './screens.tsx';

describe('accessibility (axe-core)', () => {
  for (const screen of SCREENS) {
    it(`the ${screen} screen has no serious or critical violations`, async () => {
      const { container, unmount } = renderScreen(screen, 'en');
      try {
        const result = await axe.run(container);
        const bad = result.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.html.slice(0, 120)).join(' | ')}`);
        expect(bad).toEqual([]);
        // axe actually checked things (not an empty container).
        expect(result.passes.length).toBeGreaterThan(5);
      } finally {
        unmount();
      }
    });
  }
});
