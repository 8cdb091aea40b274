import { fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAX_ATTACHMENTS, type AttachmentView } from '@ajuda/protocol';
import { MAX_ATTACHMENTS as WIDGET_MAX, fit } from '../src/ui/Attachments.tsx';
import { Connection } from '../src/connection.ts';
import { initialState, reduce, type AppState } from '../src/state.ts';
import { scopedStorage } from '../src/storage.ts';
import { ConversationScreen } from '../src/ui/Conversation.tsx';
import { IntakeForm } from '../src/ui/IntakeForm.tsx';
import { translator } from '@ajuda/i18n';
import { FakeSocket, MemoryStorage, flush, ready } from './fake-socket.ts';
import { CATALOGS, conv, directory, fakeActions, msg, realmUser, renderApp } from './helpers.tsx';

/** Uploads go through XMLHttpRequest (for progress): this fake records each request and answers when told. */
class FakeXhr {
  static all: FakeXhr[] = [];
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: FormData | null = null;
  aborted = false;
  status = 0;
  responseText = '';
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor() {
    FakeXhr.all.push(this);
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(k: string, v: string) {
    this.headers[k] = v;
  }
  send(body: FormData) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
  }
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ lengthComputable: true, loaded, total });
  }
  respond(status: number, body: object) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

const png = (name = 'screenshot.png') => new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])], name, { type: 'image/png' });
const view = (over: Partial<AttachmentView> = {}): AttachmentView => ({
  id: 'att_1',
  name: 'screenshot.png',
  type: 'image/png',
  size: 7,
  image: true,
  width: 640,
  height: 400,
  thumb: true,
  ...over,
});

beforeEach(() => {
  FakeXhr.all = [];
  FakeSocket.all = [];
  vi.stubGlobal('XMLHttpRequest', FakeXhr);
  // Thumbnails and images are fetched with the session's credential; answer every one with a tiny blob.
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(new Blob([new Uint8Array([1, 2, 3])], { type: 'image/webp' }), { status: 200 })),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
});

function composer() {
  const actions = fakeActions();
  const utils = renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: conv() }, messages: { c_7Hx2Q: [] } }, actions });
  const box = screen.getByLabelText('Your message');
  return { ...utils, actions, box };
}

describe('attachments in the composer', () => {
  it('a pasted screenshot uploads at once on the session credential; sending waits until it is uploaded', async () => {
    const { actions, box, container } = composer();
    fireEvent.paste(box, { clipboardData: { files: [png()], items: [], types: ['Files'] } });
    await waitFor(() => expect(FakeXhr.all).toHaveLength(1));
    const xhr = FakeXhr.all[0]!;
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe('/api/attachments?conversationId=c_7Hx2Q');
    expect(xhr.headers.Authorization).toBe('Bearer vt_test');
    expect((xhr.body!.get('file') as File).name).toBe('screenshot.png');

    const tray = screen.getByRole('list', { name: 'Files to send' });
    expect(tray.textContent).toContain('screenshot.png');
    expect(tray.textContent).toContain('Uploading… 0%');
    xhr.progress(40, 100);
    await waitFor(() => expect(tray.textContent).toContain('Uploading… 40%'));

    // Send while the file is still uploading: refused with a reason, nothing queued.
    fireEvent.submit(container.querySelector('form.composer')!);
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Wait for the files to finish uploading.'));
    expect(actions.sendMessage).not.toHaveBeenCalled();

    xhr.respond(201, { attachments: [view()] });
    await waitFor(() => expect(container.querySelector('[data-upload="done"]')).not.toBeNull());
    fireEvent.input(box, { target: { value: 'The error' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(actions.sendMessage).toHaveBeenCalledWith('c_7Hx2Q', 'The error', [view()]);
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Files to send' })).toBeNull());
  });

  it('a refused file says why in the person’s language; retry uploads it again; remove drops it (aborting an upload)', async () => {
    const { actions, box, container } = composer();
    fireEvent.paste(box, { clipboardData: { files: [png('a.png'), png('b.png')], items: [], types: ['Files'] } });
    await waitFor(() => expect(FakeXhr.all).toHaveLength(2));
    FakeXhr.all[0]!.respond(503, { code: 'unavailable' });
    await waitFor(() => expect(container.querySelector('[data-upload="failed"]')).not.toBeNull());

    // A passing failure can be retried; a refusal for what the file is (kind, size) cannot.
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(FakeXhr.all).toHaveLength(3));
    FakeXhr.all[2]!.respond(413, { code: 'payload_too_large' });
    await waitFor(() => expect(container.textContent).toContain('Not uploaded: The file is too large.'));
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
    FakeXhr.all[1]!.respond(415, { code: 'unsupported_media_type' });
    await waitFor(() => expect(container.textContent).toContain('Not uploaded: This kind of file cannot be sent'));
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();

    // Both refused: removed, the tray is gone.
    fireEvent.click(screen.getByRole('button', { name: 'Remove b.png' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove a.png' }));
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Files to send' })).toBeNull());
    // Nothing left to send: the button is disabled again and nothing was queued.
    expect((screen.getByRole('button', { name: 'Send' }) as HTMLButtonElement).disabled).toBe(true);
    expect(actions.sendMessage).not.toHaveBeenCalled();
  });

  it('a file over the server\'s limit (session.ready) is refused at once, with the limit, never sent; the others upload; sending says to remove it', async () => {
    const actions = fakeActions();
    const big = new File([new Uint8Array(2 * 1048576 + 1)], 'video.mp4', { type: 'video/mp4' });
    const { container } = renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: conv() }, messages: { c_7Hx2Q: [] }, uploadMaxBytes: 2 * 1048576 }, actions, locale: 'pt' });
    const box = screen.getByLabelText('Sua mensagem');
    fireEvent.paste(box, { clipboardData: { files: [big, png('ok.png')], items: [], types: ['Files'] } });
    await waitFor(() => expect(container.textContent).toContain('O arquivo é grande demais (o limite é 2 MB).'));
    // Only the file that fits went to the server; the refused one has no retry (it cannot help), only remove.
    expect(FakeXhr.all.map((x) => (x.body!.get('file') as File).name)).toEqual(['ok.png']);
    const refused = container.querySelector('[data-upload="failed"]')!;
    expect(refused.textContent).toContain('video.mp4');
    expect(refused.querySelectorAll('button')).toHaveLength(1);
    FakeXhr.all[0]!.respond(201, { attachments: [view({ name: 'ok.png' })] });
    await waitFor(() => expect(container.querySelector('[data-upload="done"]')).not.toBeNull());
    fireEvent.input(box, { target: { value: 'Segue' } });
    fireEvent.keyDown(box, { key: 'Enter' });
    await waitFor(() => expect(screen.getByRole('alert').textContent).toBe('Um arquivo não foi carregado: remova-o, ou tente de novo, para enviar.'));
    expect(actions.sendMessage).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Remover video.mp4' }));
    fireEvent.keyDown(box, { key: 'Enter' });
    expect(actions.sendMessage).toHaveBeenCalledWith('c_7Hx2Q', 'Segue', [view({ name: 'ok.png' })]);
  });

  it('a 413 from the server names the limit when session.ready gave it', async () => {
    const { container, box } = (() => {
      const actions = fakeActions();
      const r = renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: conv() }, messages: { c_7Hx2Q: [] }, uploadMaxBytes: 10 * 1048576 }, actions, locale: 'es' });
      return { ...r, box: screen.getByLabelText('Tu mensaje') };
    })();
    fireEvent.paste(box, { clipboardData: { files: [png()], items: [], types: ['Files'] } });
    await waitFor(() => expect(FakeXhr.all).toHaveLength(1));
    FakeXhr.all[0]!.respond(413, { code: 'payload_too_large' });
    await waitFor(() => expect(container.textContent).toContain('El archivo es demasiado grande (el límite es 10 MB).'));
  });

  it('uploaded files wait with the draft: after a reload they are back in the tray, done, and the message takes them', async () => {
    const actions = fakeActions();
    const first = renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: conv() }, messages: { c_7Hx2Q: [] } }, actions });
    fireEvent.paste(screen.getByLabelText('Your message'), { clipboardData: { files: [png('shot.png'), new File(['x'], 'run.log', { type: 'text/plain' })], items: [], types: ['Files'] } });
    await waitFor(() => expect(FakeXhr.all).toHaveLength(2));
    FakeXhr.all[0]!.respond(201, { attachments: [view({ id: 'att_shot', name: 'shot.png' })] });
    // One still uploading when the page goes: only the uploaded one can come back (the picked file is gone).
    await waitFor(() => expect(JSON.parse((actions as unknown as { drafts: Map<string, string> }).drafts.get('files:c_7Hx2Q') ?? '[]')).toHaveLength(1));
    first.unmount();

    const { container } = renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: conv() }, messages: { c_7Hx2Q: [] } }, actions });
    const tray = screen.getByRole('list', { name: 'Files to send' });
    expect(tray.querySelectorAll('li')).toHaveLength(1);
    expect(tray.querySelector('[data-upload="done"]')!.textContent).toContain('shot.png');
    // Its preview is the server's thumbnail, fetched with the credential.
    await waitFor(() => expect(tray.querySelector('img.tray-thumb')).not.toBeNull());
    expect(vi.mocked(fetch)).toHaveBeenCalledWith('/api/attachments/att_shot/thumb', { headers: { Authorization: 'Bearer vt_test' } });
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(actions.sendMessage).toHaveBeenCalledWith('c_7Hx2Q', '', [view({ id: 'att_shot', name: 'shot.png' })]);
    await waitFor(() => expect(container.querySelector('ul.tray')).toBeNull());
    expect((actions as unknown as { drafts: Map<string, string> }).drafts.has('files:c_7Hx2Q')).toBe(false);
  });

  it('removing a file still uploading aborts its request', async () => {
    const { box } = composer();
    fireEvent.paste(box, { clipboardData: { files: [png('slow.png')], items: [], types: ['Files'] } });
    await waitFor(() => expect(FakeXhr.all).toHaveLength(1));
    fireEvent.click(screen.getByRole('button', { name: 'Remove slow.png' }));
    expect(FakeXhr.all[0]!.aborted).toBe(true);
    await waitFor(() => expect(screen.queryByRole('list', { name: 'Files to send' })).toBeNull());
  });

  it('a file chosen with the paperclip (a real, labelled button) is uploaded; a message of files only is sent', async () => {
    const { actions, container } = composer();
    const clip = screen.getByRole('button', { name: 'Attach files' });
    const input = container.querySelector<HTMLInputElement>('input[type="file"]')!;
    const picked = vi.spyOn(input, 'click');
    fireEvent.click(clip);
    expect(picked).toHaveBeenCalled();
    Object.defineProperty(input, 'files', { value: [new File(['line 1\n'], 'app.log', { type: 'text/plain' })], configurable: true });
    fireEvent.change(input);
    await waitFor(() => expect(FakeXhr.all).toHaveLength(1));
    FakeXhr.all[0]!.respond(201, { attachments: [view({ id: 'att_log', name: 'app.log', type: 'text/plain', image: false, thumb: false, width: undefined, height: undefined })] });
    await waitFor(() => expect(container.querySelector('[data-upload="done"]')).not.toBeNull());
    fireEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(actions.sendMessage).toHaveBeenCalledWith('c_7Hx2Q', '', [expect.objectContaining({ id: 'att_log' })]);
  });

  it('files dragged over the composer are announced as a drop target and uploaded when dropped; dragged text is left alone', async () => {
    const { container } = composer();
    const form = container.querySelector('form.composer')!;
    fireEvent.dragOver(form, { dataTransfer: { types: ['text/plain'], files: [], items: [] } });
    expect(form.classList.contains('dragging')).toBe(false);
    fireEvent.dragOver(form, { dataTransfer: { types: ['Files'], files: [], items: [] } });
    await waitFor(() => expect(form.classList.contains('dragging')).toBe(true));
    expect(container.textContent).toContain('Drop files here to attach them');
    fireEvent.drop(form, { dataTransfer: { types: ['Files'], files: [png('dropped.png')], items: [] } });
    await waitFor(() => expect(FakeXhr.all).toHaveLength(1));
    expect((FakeXhr.all[0]!.body!.get('file') as File).name).toBe('dropped.png');
    await waitFor(() => expect(form.classList.contains('dragging')).toBe(false));
    expect(screen.getByRole('list', { name: 'Files to send' }).textContent).toContain('dropped.png');
  });

  it('in a resolved conversation, attaching reopens it first (the server takes uploads only in an open one)', async () => {
    const actions = fakeActions();
    renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: conv({ status: 'resolved' }) }, messages: { c_7Hx2Q: [] } }, actions });
    fireEvent.paste(screen.getByLabelText('Your message'), { clipboardData: { files: [png()], items: [], types: ['Files'] } });
    await waitFor(() => expect(FakeXhr.all).toHaveLength(1));
    expect(actions.reopen).toHaveBeenCalledTimes(1);
  });
});

describe('files in messages', () => {
  it('an image is a thumbnail that opens large in a dialog (Esc closes, focus returns) with a download button; other files are downloads', async () => {
    const m = { ...msg(1, 'agent', ''), attachments: [view(), view({ id: 'att_2', name: 'report.pdf', type: 'application/pdf', size: 2048, image: false, thumb: false })] };
    renderApp(<ConversationScreen id="c_7Hx2Q" />, { state: { conversations: { c_7Hx2Q: conv() }, messages: { c_7Hx2Q: [m] } } });
    expect(screen.getByRole('button', { name: /^Download report\.pdf/ }).textContent).toContain('2 KB');
    const thumb = screen.getByRole('button', { name: 'Open image screenshot.png' });
    // The thumbnail is fetched with the credential (an <img src> could not carry it).
    await waitFor(() => expect(thumb.querySelector('img')).not.toBeNull());
    expect(vi.mocked(fetch)).toHaveBeenCalledWith('/api/attachments/att_1/thumb', { headers: { Authorization: 'Bearer vt_test' } });

    thumb.focus();
    fireEvent.click(thumb);
    const dialog = await screen.findByRole('dialog', { name: 'screenshot.png' });
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(dialog.querySelector('img[alt="screenshot.png"]')).not.toBeNull());
    expect(vi.mocked(fetch)).toHaveBeenCalledWith('/api/attachments/att_1', { headers: { Authorization: 'Bearer vt_test' } });
    expect(screen.getByRole('button', { name: 'Download' })).toBeTruthy();
    // Tab stays inside the dialog.
    fireEvent.keyDown(document.activeElement!, { key: 'Tab' });
    expect(dialog.contains(document.activeElement)).toBe(true);

    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(thumb);
  });
});

describe('incident evidence', () => {
  it('files picked in the incident form are kept until the conversation exists, then uploaded to it and sent as its first files', async () => {
    const onDone = vi.fn();
    const actions = fakeActions({
      startConversation: vi.fn(async () => ({ ok: true as const, conversation: { id: 'c_8', status: 'queued' } as never })),
    });
    const t = translator(CATALOGS.en, 'en');
    const { container, unmount } = renderApp(<IntakeForm requestType="incident" onDone={onDone} t={t} />, { state: { principal: realmUser, directory }, actions });
    const group = screen.getByRole('group', { name: 'Evidence files (screenshots, logs)' });
    const input = group.querySelector<HTMLInputElement>('input[type="file"]')!;
    Object.defineProperty(input, 'files', { value: [png('error.png'), new File(['boom'], 'run.log', { type: 'text/plain' })], configurable: true });
    fireEvent.change(input);
    await waitFor(() => expect(group.querySelectorAll('li')).toHaveLength(2));
    fireEvent.click(screen.getByRole('button', { name: 'Remove run.log' }));
    await waitFor(() => expect(group.querySelectorAll('li')).toHaveLength(1));
    // Nothing is uploaded before the conversation exists.
    expect(FakeXhr.all).toHaveLength(0);

    fireEvent.change(container.querySelector('#f-pipeline')!, { target: { value: 'pl_migration' } });
    fireEvent.click(container.querySelector('input[name=f-impact][value=partial]')!);
    fireEvent.click(container.querySelector('input[name=f-workaround][value=no]')!);
    for (const id of ['errorMessage', 'expected', 'observed', 'analysis']) fireEvent.input(container.querySelector(`#f-${id}`)!, { target: { value: `${id} text` } });
    fireEvent.input(container.querySelector('#f-errorAt')!, { target: { value: '2026-11-20T10:30' } });
    fireEvent.submit(container.querySelector('form')!);
    await waitFor(() => expect(onDone).toHaveBeenCalledWith('c_8'));
    unmount();

    // The conversation's screen: its composer uploads the evidence to c_8 and sends it once uploaded.
    renderApp(<ConversationScreen id="c_8" />, { state: { conversations: { c_8: conv({ id: 'c_8', status: 'queued' }) }, messages: { c_8: [] } }, actions });
    await waitFor(() => expect(FakeXhr.all).toHaveLength(1));
    expect(FakeXhr.all[0]!.url).toBe('/api/attachments?conversationId=c_8');
    expect((FakeXhr.all[0]!.body!.get('file') as File).name).toBe('error.png');
    expect(actions.sendMessage).not.toHaveBeenCalled();
    FakeXhr.all[0]!.respond(201, { attachments: [view({ id: 'att_ev', name: 'error.png' })] });
    await waitFor(() => expect(actions.sendMessage).toHaveBeenCalledWith('c_8', '', [expect.objectContaining({ id: 'att_ev' })]));
    expect(actions.sendMessage).toHaveBeenCalledTimes(1);
  });
});

describe('incident evidence over the limit', () => {
  it('a file larger than the server takes is refused as it is picked, by name and with the limit; the others are kept', async () => {
    const t = translator(CATALOGS.en, 'en');
    renderApp(<IntakeForm requestType="incident" onDone={vi.fn()} t={t} />, { state: { principal: realmUser, directory, uploadMaxBytes: 1048576 }, actions: fakeActions() });
    const group = screen.getByRole('group', { name: 'Evidence files (screenshots, logs)' });
    const input = group.querySelector<HTMLInputElement>('input[type="file"]')!;
    Object.defineProperty(input, 'files', { value: [png('error.png'), new File([new Uint8Array(1048577)], 'dump.zip', { type: 'application/zip' })], configurable: true });
    fireEvent.change(input);
    await waitFor(() => expect(within(group).getByRole('alert').textContent).toBe('dump.zip: The file is too large (the limit is 1 MB).'));
    expect(group.querySelectorAll('li')).toHaveLength(1);
    expect(group.querySelector('li')!.textContent).toContain('error.png');
  });

  it('session.ready\'s limit is kept in the state', () => {
    const s = reduce(initialState('en'), { type: 'session.ready', v: 1, principal: { kind: 'visitor' }, locale: 'en', heartbeatMs: 0, uploadMaxBytes: 5 * 1048576 });
    expect(s.uploadMaxBytes).toBe(5 * 1048576);
  });
});

describe('the outbox keeps files', () => {
  it('once acknowledged, the message keeps its files (shown as the server has them, not lost with the outbox entry)', () => {
    const files = [view()];
    let s: AppState = { ...initialState('en'), outbox: [{ conversationId: 'c_1', clientMsgId: 'm1', body: '', at: '2026-12-06T10:00:00.000Z', files }] };
    s = reduce(s, { type: 'message.ack', conversationId: 'c_1', clientMsgId: 'm1', seq: 4, at: '2026-12-06T10:00:01.000Z' });
    expect(s.messages.c_1).toEqual([expect.objectContaining({ seq: 4, attachments: files })]);
  });

  it('a thumbnail’s box is known before it loads: fitted in 200×160, never enlarged', () => {
    expect(fit(640, 400)).toEqual({ width: 200, height: 125 });
    expect(fit(400, 1000)).toEqual({ width: 64, height: 160 });
    expect(fit(50, 30)).toEqual({ width: 50, height: 30 });
    expect(fit(undefined, undefined)).toEqual({ width: 96, height: 72 });
  });

  it('the widget caps files per message as the protocol does (its own copy keeps the schemas out of the chunk)', () => {
    expect(WIDGET_MAX).toBe(MAX_ATTACHMENTS);
  });

  it('a message with files typed offline survives a reload and is sent once with its attachment ids', async () => {
    const store = new MemoryStorage();
    const make = () =>
      new Connection({
        url: 'ws://ajuda.test/ws',
        channel: 'website',
        locale: () => 'en',
        storage: scopedStorage(store, 'website|https://shop.example'),
        requestIdentity: () => {},
        onFrame: () => {},
        onStatus: () => {},
        createSocket: (u) => new FakeSocket(u),
        random: () => 0.5,
      });
    const page1 = make();
    page1.start();
    await flush();
    const id = page1.sendMessage('c_1', '', [view(), view({ id: 'att_2', name: 'b.png' })]);
    page1.stop();

    const page2 = make();
    expect(page2.pendingMessages).toEqual([expect.objectContaining({ clientMsgId: id, files: [view(), view({ id: 'att_2', name: 'b.png' })] })]);
    page2.start();
    await flush();
    const ws = FakeSocket.all[FakeSocket.all.length - 1]!;
    ws.open();
    await flush();
    ws.push(ready());
    await flush();
    ws.push(ready());
    await flush();
    const sends = ws.ofType('message.send');
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ conversationId: 'c_1', clientMsgId: id, body: '', attachments: ['att_1', 'att_2'] });
    page2.stop();
  });
});
