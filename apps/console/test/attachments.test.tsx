import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import type { AttachmentView } from '@ajuda/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fmtSize, UploadError, Uploads, type Sender } from '../src/attach/Attach.tsx';
import { answerOpen, conversation, iso, renderShell, verifiedIncident, type Harness } from './helpers.tsx';

const view = (id: string, name: string, over: Partial<AttachmentView> = {}): AttachmentView => ({ id, name, type: 'image/png', size: 2048, image: true, thumb: true, width: 800, height: 600, ...over });
const file = (name: string, type = 'image/png') => new File([new Uint8Array([137, 80, 78, 71])], name, { type });

/** A sender the test answers by hand (test-only fake of the upload request). */
function manualSender() {
  const calls: Array<{ conversationId: string; file: File; progress(p: number): void; resolve(v: AttachmentView): void; reject(e: unknown): void; aborted: boolean }> = [];
  const sender: Sender = (conversationId, f, progress) => {
    const call = { conversationId, file: f, progress, resolve: (_: AttachmentView) => {}, reject: (_: unknown) => {}, aborted: false };
    const done = new Promise<AttachmentView>((res, rej) => Object.assign(call, { resolve: res, reject: rej }));
    calls.push(call);
    return { done, abort: () => ((call.aborted = true), call.reject(new UploadError('aborted'))) };
  };
  return { calls, sender };
}
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('Uploads: the files for the next message', () => {
  it('uploads each file at once; the message waits while one is uploading or failed; retry resends the same file; the order is the order added', async () => {
    const { calls, sender } = manualSender();
    let changes = 0;
    const u = new Uploads('c_1', () => changes++, sender, () => null);
    u.add([file('a.png'), file('b.log', 'text/plain')]);
    expect(calls.map((c) => [c.conversationId, c.file.name])).toEqual([['c_1', 'a.png'], ['c_1', 'b.log']]);
    expect(u.busy).toBe(true);
    calls[0]!.progress(40);
    expect(u.items[0]!.progress).toBe(40);
    // The second finishes first, the first is refused: nothing can be sent yet.
    calls[1]!.resolve(view('at_b', 'b.log', { image: false, thumb: false, type: 'text/plain' }));
    calls[0]!.reject(new UploadError('failed'));
    await settle();
    expect(u.items.map((i) => [i.name, i.error ?? null, i.view?.id ?? null])).toEqual([['a.png', 'failed', null], ['b.log', null, 'at_b']]);
    expect(u.busy).toBe(true);
    u.retry(u.items[0]!.key);
    expect(calls).toHaveLength(3);
    expect(calls[2]!.file).toBe(calls[0]!.file);
    expect(u.items[0]!.error).toBeUndefined();
    calls[2]!.resolve(view('at_a', 'a.png'));
    await settle();
    expect(u.busy).toBe(false);
    expect(u.views().map((v) => v.id)).toEqual(['at_a', 'at_b']);
    expect(changes).toBeGreaterThan(0);
    u.clear();
    expect(u.items).toEqual([]);
  });

  it('a file over the server\'s limit is refused before it is sent; refusals for what a file is (size, kind) are not retried, a failure is', async () => {
    const { calls, sender } = manualSender();
    const u = new Uploads('c_1', () => undefined, sender, () => null);
    u.maxBytes = 4;
    u.add([new File([new Uint8Array(5)], 'big.zip', { type: 'application/zip' }), file('ok.png'), file('page.svg', 'image/svg+xml'), file('flaky.log', 'text/plain')]);
    expect(calls.map((c) => c.file.name)).toEqual(['ok.png', 'page.svg', 'flaky.log']);
    calls[1]!.reject(new UploadError('unsupported_media_type'));
    calls[2]!.reject(new UploadError('failed'));
    await settle();
    expect(u.items.map((i) => [i.name, i.error ?? null])).toEqual([['big.zip', 'payload_too_large'], ['ok.png', null], ['page.svg', 'unsupported_media_type'], ['flaky.log', 'failed']]);
    for (const i of u.items) u.retry(i.key);
    expect(calls.map((c) => c.file.name)).toEqual(['ok.png', 'page.svg', 'flaky.log', 'flaky.log']);
  });

  it('remove aborts an upload in flight and a late answer does not bring it back; more than 10 files are refused beyond the tenth', async () => {
    const { calls, sender } = manualSender();
    const u = new Uploads('c_1', () => {}, sender, () => null);
    u.add([file('x.png')]);
    u.remove(u.items[0]!.key);
    expect(calls[0]!.aborted).toBe(true);
    calls[0]!.resolve(view('at_x', 'x.png'));
    await settle();
    expect(u.items).toEqual([]);
    expect(u.busy).toBe(false);
    u.add(Array.from({ length: 11 }, (_, i) => file(`f${i}.png`)));
    expect(u.items).toHaveLength(10);
    expect(u.tooMany).toBe(true);
    expect(calls).toHaveLength(11);
  });

  it('a pasted screenshot without a name is sent as screenshot.png', () => {
    const { calls, sender } = manualSender();
    const u = new Uploads('c_1', () => {}, sender, () => null);
    u.add([new File([new Uint8Array([1])], '', { type: 'image/png' })]);
    expect(u.items[0]!.name).toBe('screenshot.png');
    expect(calls[0]!.file.name).toBe('screenshot.png');
  });

  it('sizes in the agent\'s language', () => {
    expect(fmtSize('en', 512)).toBe('512 bytes');
    expect(fmtSize('es', 1)).toBe('1 byte');
    expect(fmtSize('en', 2048)).toBe('2 kB');
    expect(fmtSize('pt', 1_500_000)).toBe('1,5 MB');
  });
});

/** A stand-in for the browser's XMLHttpRequest inside these tests (the server is another suite's business). */
class FakeXhr {
  static all: FakeXhr[] = [];
  method = '';
  url = '';
  status = 0;
  responseText = '';
  body: FormData | null = null;
  upload = { onprogress: null as null | ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) };
  onload: null | (() => void) = null;
  onerror: null | (() => void) = null;
  onabort: null | (() => void) = null;
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  send(body: FormData) {
    this.body = body;
    FakeXhr.all.push(this);
  }
  abort() {
    this.onabort?.();
  }
  respond(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

let h: Harness | null = null;
const realXhr = globalThis.XMLHttpRequest;
beforeEach(() => {
  FakeXhr.all = [];
  (globalThis as { XMLHttpRequest: unknown }).XMLHttpRequest = FakeXhr;
});
afterEach(() => {
  h?.unmount();
  h = null;
  globalThis.XMLHttpRequest = realXhr;
});

function pasteFiles(target: Element, files: File[]) {
  const ev = new Event('paste', { bubbles: true, cancelable: true });
  Object.defineProperty(ev, 'clipboardData', { value: { files } });
  fireEvent(target, ev);
}

describe('the composer with files', () => {
  it('a pasted screenshot uploads with progress; Send waits for it; a message with only the file carries its id, and a failed send is retried with the same id', async () => {
    const conv = verifiedIncident();
    h = renderShell({ conversations: [conv], hash: `#/inbox/${conv.id}` });
    answerOpen(h, conv);
    const box = screen.getByLabelText('Write a reply to the requester');
    const send = screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    expect(screen.getByRole('button', { name: 'Attach files' })).toBeTruthy();
    pasteFiles(box, [file('', 'image/png')]);
    const tray = await screen.findByRole('list', { name: 'Files to send' });
    await waitFor(() => expect(FakeXhr.all).toHaveLength(1));
    const xhr = FakeXhr.all[0]!;
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe(`/api/attachments?conversationId=${conv.id}`);
    expect((xhr.body!.get('file') as File).name).toBe('screenshot.png');
    act(() => xhr.upload.onprogress?.({ lengthComputable: true, loaded: 50, total: 100 }));
    expect(within(tray).getByRole('progressbar', { name: 'Uploading 50%' })).toBeTruthy();
    expect(send.disabled).toBe(true);
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(h.socket.sentOfType('message.send')).toHaveLength(0);
    act(() => xhr.respond(201, { attachments: [view('at_1', 'screenshot.png')] }));
    await waitFor(() => expect(send.disabled).toBe(false));
    expect(tray.textContent).toContain('Ready to send');
    fireEvent.click(send);
    const sent = h.socket.lastOfType('message.send')!;
    expect(sent).toMatchObject({ conversationId: conv.id, body: '', attachments: ['at_1'] });
    expect(screen.queryByRole('list', { name: 'Files to send' })).toBeNull();
    // The server refused the frame (say, the connection dropped): Retry sends the same message with the same file.
    h.server({ type: 'error', ref: sent.ref, code: 'unavailable', message: 'try again' });
    const retry = await screen.findByRole('button', { name: 'Retry' });
    fireEvent.click(retry);
    const again = h.socket.lastOfType('message.send')!;
    expect(again).toMatchObject({ clientMsgId: sent.clientMsgId, attachments: ['at_1'], body: '' });
    // The ack turns it into a message whose image opens the viewer.
    h.server({ type: 'message.ack', ref: again.ref, conversationId: conv.id, clientMsgId: sent.clientMsgId, seq: 1, at: iso(0) });
    const msg = h.container.querySelector<HTMLElement>('li[data-seq="1"]')!;
    expect(await within(msg).findByRole('button', { name: 'Open image screenshot.png' })).toBeTruthy();
  });

  it('a refused file says why in the tray, blocks Send until it is removed, and Remove is labelled with the file', async () => {
    const conv = verifiedIncident();
    h = renderShell({ conversations: [conv], hash: `#/inbox/${conv.id}` });
    answerOpen(h, conv);
    const input = h.container.querySelector<HTMLInputElement>('form.composer input[type="file"]')!;
    Object.defineProperty(input, 'files', { value: [file('page.html', 'text/html')], configurable: true });
    fireEvent.change(input);
    await waitFor(() => expect(FakeXhr.all).toHaveLength(1));
    act(() => FakeXhr.all[0]!.respond(415, { type: 'about:blank', code: 'unsupported_media_type', status: 415 }));
    expect((await screen.findByRole('alert')).textContent).toBe('This type of file is not accepted');
    fireEvent.input(screen.getByLabelText('Write a reply to the requester'), { target: { value: 'See the file' } });
    const send = screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement;
    expect(send.disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Remove page.html' }));
    expect(send.disabled).toBe(false);
    fireEvent.click(send);
    const sent = h.socket.lastOfType('message.send')!;
    expect(sent.body).toBe('See the file');
    expect(sent).not.toHaveProperty('attachments');
  });
});

describe('the server\'s limit in the tray', () => {
  it('a file over session.ready\'s limit is refused in the tray with the limit, in the agent\'s language, with Remove and no Retry; nothing is sent', async () => {
    const conv = verifiedIncident();
    h = renderShell({ conversations: [conv], hash: `#/inbox/${conv.id}`, locale: 'pt' });
    act(() => h!.store.dispatch({ type: 'frame', frame: { type: 'session.ready', v: 1, principal: { kind: 'agent', agent: h!.store.get().me! }, locale: 'pt', heartbeatMs: 0, uploadMaxBytes: 2_621_440 } }));
    answerOpen(h, conv);
    pasteFiles(screen.getByLabelText('Escreva uma resposta ao solicitante'), [new File([new Uint8Array(2_621_441)], 'dump.zip', { type: 'application/zip' })]);
    expect((await screen.findByRole('alert')).textContent).toBe('Grande demais para enviar (o limite é 2,5 MB)');
    expect(FakeXhr.all).toHaveLength(0);
    expect(screen.queryByRole('button', { name: 'Tentar de novo' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Remover dump.zip' })).toBeTruthy();
  });
});

describe('files with the draft', () => {
  it('a note with an uploaded file, half written: another conversation and back keeps both; a reload brings the file back done, shown by its thumbnail', async () => {
    const conv = verifiedIncident();
    const other = conversation({ id: 'c_other' });
    h = renderShell({ conversations: [conv, other], hash: `#/inbox/${conv.id}` });
    answerOpen(h, conv);
    fireEvent.click(screen.getByLabelText('Internal note'));
    const box = screen.getByLabelText('Write an internal note (agents only)');
    fireEvent.input(box, { target: { value: 'Log from the ERP' } });
    pasteFiles(box, [file('erp.png', 'image/png'), file('late.log', 'text/plain')]);
    await waitFor(() => expect(FakeXhr.all).toHaveLength(2));
    act(() => FakeXhr.all[0]!.respond(201, { attachments: [view('at_erp', 'erp.png')] }));
    await waitFor(() => expect(h!.container.querySelector('[data-upload="done"]')).not.toBeNull());

    // Another conversation and back: the same tray (the second file still uploading, then done).
    fireEvent.click(h.container.querySelector('li[data-conversation-id="c_other"] button')!);
    answerOpen(h, other);
    expect(screen.queryByRole('list', { name: 'Files to send' })).toBeNull();
    act(() => FakeXhr.all[1]!.respond(201, { attachments: [{ ...view('at_log', 'late.log'), type: 'text/plain', image: false, thumb: false }] }));
    fireEvent.click(h.container.querySelector(`li[data-conversation-id="${conv.id}"] button`)!);
    answerOpen(h, conv);
    const tray = await screen.findByRole('list', { name: 'Files to send' });
    await waitFor(() => expect(tray.querySelectorAll('[data-upload="done"]')).toHaveLength(2));

    // A reload: the text, the mode and both files are back, done; the image shows the server's thumbnail.
    // (The draft is written after the screen shows the change, as an effect.)
    await waitFor(() => expect(JSON.parse(localStorage.getItem('ajuda:console:drafts:ag_joao')!).c_inc.files).toHaveLength(2));
    h.unmount();
    h = renderShell({ conversations: [conv, other], hash: `#/inbox/${conv.id}` });
    answerOpen(h, conv);
    expect(screen.getByLabelText<HTMLTextAreaElement>('Write an internal note (agents only)').value).toBe('Log from the ERP');
    const back = await screen.findByRole('list', { name: 'Files to send' });
    await waitFor(() => expect(back.querySelectorAll('[data-upload="done"]')).toHaveLength(2));
    expect(back.querySelector<HTMLImageElement>('img.tray-preview')!.getAttribute('src')).toBe('/api/attachments/at_erp/thumb');
    fireEvent.click(screen.getByRole('button', { name: 'Add note' }));
    expect(h.socket.lastOfType('message.send')).toMatchObject({ conversationId: conv.id, kind: 'note', body: 'Log from the ERP', attachments: ['at_erp', 'at_log'] });
    await waitFor(() => expect(localStorage.getItem('ajuda:console:drafts:ag_joao')).toBeNull());
  });
});

describe('internal notes with files', () => {
  it('an internal note carries pasted files, and lists them while it is pending', async () => {
    const conv = verifiedIncident();
    h = renderShell({ conversations: [conv], hash: `#/inbox/${conv.id}` });
    answerOpen(h, conv);
    fireEvent.click(screen.getByLabelText('Internal note'));
    pasteFiles(screen.getByLabelText('Write an internal note (agents only)'), [file('trace.har', 'application/json')]);
    await waitFor(() => expect(FakeXhr.all).toHaveLength(1));
    act(() => FakeXhr.all[0]!.respond(201, { attachments: [view('at_har', 'trace.har', { image: false, thumb: false, type: 'application/json', size: 900 })] }));
    const add = screen.getByRole('button', { name: 'Add note' }) as HTMLButtonElement;
    await waitFor(() => expect(add.disabled).toBe(false));
    fireEvent.click(add);
    expect(h.socket.lastOfType('message.send')).toMatchObject({ kind: 'note', body: '', attachments: ['at_har'] });
    // No typing signal for a note, files or not.
    expect(h.socket.sentOfType('typing.set')).toHaveLength(0);
    expect(await screen.findByRole('link', { name: 'trace.har' })).toBeTruthy();
  });
});

describe('files in messages and the image viewer', () => {
  it('images are thumbnails, other files download links with name and size; the viewer takes focus, goes through the conversation\'s images with the arrows, closes on Esc and gives focus back to the thumbnail', async () => {
    const conv = verifiedIncident();
    h = renderShell({ conversations: [conv], hash: `#/inbox/${conv.id}` });
    const m = (seq: number, attachments: AttachmentView[]) => ({ conversationId: conv.id, seq, sender: { role: 'requester', name: 'Ana' }, kind: 'text', body: seq === 1 ? 'Evidence' : '', attachments, at: iso(seq * 1000) });
    answerOpen(h, conv, {
      messages: [
        m(1, [view('at_1', 'first.png'), view('at_log', 'sync.log', { image: false, thumb: false, type: 'text/plain', size: 12_345, width: undefined, height: undefined })]),
        m(2, [view('at_2', 'second<b>.png')]),
      ],
    });
    const first = await screen.findByRole('button', { name: 'Open image first.png' });
    const img = first.querySelector('img')!;
    expect(img.getAttribute('src')).toBe('/api/attachments/at_1/thumb');
    expect([img.getAttribute('width'), img.getAttribute('height')]).toEqual(['160', '120']);
    const link = screen.getByRole('link', { name: 'sync.log' });
    expect(link.getAttribute('href')).toBe('/api/attachments/at_log');
    expect(link.hasAttribute('download')).toBe(true);
    expect(link.closest('li')!.textContent).toContain('12 kB');
    // A name is text, never markup.
    expect(await screen.findByRole('button', { name: 'Open image second<b>.png' })).toBeTruthy();
    expect(h.container.querySelector('b')).toBeNull();

    first.focus();
    fireEvent.click(first);
    const dialog = await screen.findByRole('dialog', { name: 'Image first.png' });
    const close = within(dialog).getByRole('button', { name: 'Close' });
    await waitFor(() => expect(document.activeElement).toBe(close));
    expect(within(dialog).getByRole('img', { name: 'first.png' }).getAttribute('src')).toBe('/api/attachments/at_1');
    expect(dialog.textContent).toContain('1 of 2');
    const dl = within(dialog).getByRole('link', { name: 'Download first.png' });
    expect([dl.getAttribute('href'), dl.getAttribute('download')]).toEqual(['/api/attachments/at_1', 'first.png']);
    fireEvent.keyDown(close, { key: 'ArrowRight' });
    expect(within(dialog).getByRole('img', { name: 'second<b>.png' })).toBeTruthy();
    expect(dialog.textContent).toContain('2 of 2');
    fireEvent.keyDown(close, { key: 'ArrowRight' });
    expect(dialog.textContent).toContain('1 of 2');
    fireEvent.keyDown(close, { key: 'ArrowLeft' });
    expect(dialog.textContent).toContain('2 of 2');
    fireEvent(dialog, new Event('cancel', { cancelable: true }));
    expect(screen.queryByRole('dialog')).toBeNull();
    // Focus returns to the thumbnail of the image last shown.
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Open image second<b>.png' }));
  });
});
