import { describe, expect, it } from 'vitest';
import { fireEvent, waitFor } from '@testing-library/preact';
import axe from 'axe-core';
import { renderApp } from './helpers.tsx';
import { SCREENS } from './screens.tsx';

describe('accessibility (axe-core)', () => {
  it.each(SCREENS.map((s) => [s.name, s] as const))('%s has no serious or critical violation', async (_name, s) => {
    const { container } = renderApp(s.ui('en'), { state: s.state, locale: 'en' });
    if (s.submit) {
      fireEvent.submit(container.querySelector('form')!);
      await waitFor(() => expect(container.querySelector('.field-error')).toBeTruthy());
    }
    const result = await axe.run(container, { resultTypes: ['violations'] });
    const bad = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.map((n) => n.html).join(' | ')}`);
    expect(bad).toEqual([]);
  });

  it('the axe setup does catch a violation in this DOM (so the checks above mean something)', async () => {
    const { container } = renderApp(
      <div>
        <input type="text" />
        <button type="button" />
      </div>,
    );
    const result = await axe.run(container, { resultTypes: ['violations'] });
    expect(result.violations.map((v) => v.id)).toEqual(expect.arrayContaining(['label', 'button-name']));
  });

  it('every form control has an accessible label', () => {
    for (const s of SCREENS) {
      const { container, unmount } = renderApp(s.ui('en'), { state: s.state, locale: 'en' });
      for (const el of Array.from(container.querySelectorAll('input, select, textarea'))) {
        const id = el.getAttribute('id');
        const labelled = !!el.closest('label') || (!!id && !!container.querySelector(`label[for="${id}"]`)) || el.hasAttribute('aria-label');
        expect(labelled, `${s.name}: ${el.outerHTML}`).toBe(true);
      }
      unmount();
    }
  });
});
