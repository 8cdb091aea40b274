// "Copy conversation ID" (R13): the clipboard, or, where the browser refuses it, the ID selected so
// the person can copy it by hand.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Controller } from '../src/controller.ts';
import { FakeSocket, MemoryStorage } from './fake-socket.ts';

function controller(writeText: (t: string) => Promise<void>) {
  const win = Object.assign(new EventTarget(), {
    parent: { postMessage: vi.fn() },
    navigator: { languages: ['en'], language: 'en', clipboard: { writeText: vi.fn(writeText) } },
    location: { protocol: 'https:', host: 'ajuda.example' },
    getSelection: () => window.getSelection(),
  }) as unknown as Window;
  const c = new Controller({ params: { channel: 'website', hostOrigin: 'https://shop.example', locale: null }, win, storage: new MemoryStorage(), createSocket: (u) => new FakeSocket(u) });
  return { c, win };
}

function idElement(id: string) {
  const p = document.createElement('p');
  p.innerHTML = `<span>Conversation ID:</span> <code>${id}</code> <button>Copy</button>`;
  document.body.append(p);
  return p.querySelector('code')!;
}

afterEach(() => {
  window.getSelection()?.removeAllRanges();
  document.body.innerHTML = '';
});

describe('copy the conversation ID', () => {
  it('R13: writes it to the clipboard and leaves the selection alone', async () => {
    const { c, win } = controller(async () => {});
    const code = idElement('AJ-7HX2Q');
    await expect(c.copy('AJ-7HX2Q', code)).resolves.toBe(true);
    expect(win.navigator.clipboard.writeText).toHaveBeenCalledWith('AJ-7HX2Q');
    expect(window.getSelection()?.toString()).toBe('');
  });

  it('R13: when the clipboard is refused, the ID is selected so the person can copy it by hand', async () => {
    const { c } = controller(async () => {
      throw new DOMException('Write permission denied.', 'NotAllowedError');
    });
    const code = idElement('AJ-7HX2Q');
    await expect(c.copy('AJ-7HX2Q', code)).resolves.toBe(false);
    expect(window.getSelection()?.toString()).toBe('AJ-7HX2Q');
  });

  it('a browser without the clipboard API (insecure context) gets the selection too', async () => {
    const { c, win } = controller(async () => {});
    (win.navigator as { clipboard?: unknown }).clipboard = undefined;
    const code = idElement('AJ-7HX2Q');
    await expect(c.copy('AJ-7HX2Q', code)).resolves.toBe(false);
    expect(window.getSelection()?.toString()).toBe('AJ-7HX2Q');
  });
});
