import { render } from 'preact';
import './styles.css';
import { Controller } from './controller.ts';
import { loadCatalog } from './i18n.ts';
import { parseFrameParams } from './params.ts';
import { browserStorage } from './storage.ts';
import { Root } from './ui/Root.tsx';

// Entry of the widget iframe (/widget/frame/?channel=…&host=…&locale=…).
async function boot() {
  const el = document.getElementById('app');
  if (!el) return;
  const params = parseFrameParams(location.search);
  if (!params) {
    // Without a valid host origin the frame must not talk to anyone (DESIGN habit 9).
    el.textContent = 'Ajuda: invalid widget address.';
    return;
  }
  const controller = new Controller({ params, win: window, storage: browserStorage() });
  controller.boot();
  const catalog = await loadCatalog(controller.store.get().locale);
  render(<Root controller={controller} initialCatalog={catalog} />, el);
}

void boot();
