import en from '@ajuda/i18n/console/attach-en';
import es from '@ajuda/i18n/console/attach-es';
import pt from '@ajuda/i18n/console/attach-pt';
import type { Locale } from '@ajuda/i18n';
import { MAX_ATTACHMENTS, type AttachmentView } from '@ajuda/protocol';
import { render, type ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Ctx, useConsole } from '../context.ts';
import { addTexts, INTL_TAG } from '../i18n.ts';
import { useStore } from '../store.ts';
import './attach.css';

addTexts({ pt, en, es });

/**
 * Attachments in the console (a lazy chunk, fetched when a conversation has files or the composer is
 * given some): the composer's tray (`Uploads`, `Tray`), the files of a message (`Files`) and the image
 * viewer. Files go to `POST /api/attachments` on the console's cookie as soon as they are added; the
 * message then takes them by id (message.send `attachments`), retried with the same clientMsgId like
 * any pending message. Nothing of a file is ever rendered as HTML: images are `<img>` of the server's
 * re-encoded bytes, everything else a download link.
 */

/** Where the server serves a file and its thumbnail (same origin: the agent's cookie authenticates). */
export const fileUrl = (a: Pick<AttachmentView, 'id'>, thumb = false) => `/api/attachments/${encodeURIComponent(a.id)}${thumb ? '/thumb' : ''}`;

/** One upload in flight, done, or failed. */
export interface Upload {
  key: string;
  name: string;
  size: number;
  /** A local preview of an image (blob: URL), revoked when the item goes. */
  preview: string | null;
  /** 0–100 while uploading. */
  progress: number;
  /** What the server kept (set when the upload is done). */
  view?: AttachmentView;
  /** The server's problem code (or `failed`) when the upload was refused or broke. */
  error?: string;
}

/** Sends one file; the product's is XMLHttpRequest (upload progress), tests give their own. */
export type Sender = (conversationId: string, file: File, progress: (pct: number) => void) => { done: Promise<AttachmentView>; abort(): void };

/** A refusal by the server or the network, with the problem's `code`. */
export class UploadError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** POST /api/attachments with the console's cookie, one file per request (its own progress and retry). */
export const xhrSender: Sender = (conversationId, file, progress) => {
  const xhr = new XMLHttpRequest();
  const done = new Promise<AttachmentView>((resolve, reject) => {
    xhr.open('POST', `/api/attachments?conversationId=${encodeURIComponent(conversationId)}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && progress(Math.min(99, Math.round((e.loaded / e.total) * 100)));
    xhr.onerror = () => reject(new UploadError('failed'));
    xhr.onabort = () => reject(new UploadError('aborted'));
    xhr.onload = () => {
      let body: { attachments?: AttachmentView[]; code?: string } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON (a proxy's page): the status decides below */
      }
      const a = body.attachments?.[0];
      if (xhr.status === 201 && a) resolve(a);
      else reject(new UploadError(body.code ?? (xhr.status === 413 ? 'payload_too_large' : xhr.status === 415 ? 'unsupported_media_type' : 'failed')));
    };
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
  return { done, abort: () => xhr.abort() };
};

const IMAGE = /^image\/(png|jpeg|gif|webp)$/;
let seq = 0;

/**
 * The files picked for the next message of one conversation: `add` (paperclip, drop, paste) uploads
 * each at once; `retry`, `remove`; `busy` while one is uploading or failed (the message waits: a
 * file is never dropped silently); `views()` what the message takes; `clear()` after sending.
 *
 * @example const u = new Uploads('c_1', render); u.add(input.files); … if (!u.busy) send(u.views());
 */
export class Uploads {
  items: Upload[] = [];
  /** Set when more than MAX_ATTACHMENTS were offered (the rest were not taken). */
  tooMany = false;
  /** The server's limit per file (session.ready): a bigger file is refused here, never sent. */
  maxBytes?: number;
  private readonly files = new Map<string, File>();
  private readonly aborts = new Map<string, () => void>();

  constructor(
    readonly conversationId: string,
    private readonly changed: () => void,
    private readonly sender: Sender = xhrSender,
    private readonly previewOf: (f: File) => string | null = (f) => (IMAGE.test(f.type) && typeof URL.createObjectURL === 'function' ? URL.createObjectURL(f) : null),
  ) {}

  get busy(): boolean {
    return this.items.some((u) => !u.view);
  }

  views(): AttachmentView[] {
    return this.items.flatMap((u) => (u.view ? [u.view] : []));
  }

  add(list: Iterable<File>): void {
    const room = MAX_ATTACHMENTS - this.items.length;
    const files = [...list];
    this.tooMany = files.length > room;
    const added = files.slice(0, Math.max(0, room)).map((file): Upload => {
      const key = `u${++seq}`;
      this.files.set(key, file);
      // A pasted screenshot often has no useful name: give it one the requester will recognise.
      return { key, name: file.name || 'screenshot.png', size: file.size, preview: this.previewOf(file), progress: 0 };
    });
    for (const u of added) if (this.maxBytes && u.size > this.maxBytes) u.error = 'payload_too_large';
    this.items = [...this.items, ...added];
    this.changed();
    for (const u of added) if (!u.error) this.start(u.key);
  }

  /** Files uploaded before a reload (kept with the draft): back in the tray, done, in front of any new one. */
  restore(views: readonly AttachmentView[]): void {
    const known = new Set(this.items.map((u) => u.view?.id));
    const back = views.filter((v) => !known.has(v.id)).slice(0, MAX_ATTACHMENTS - this.items.length);
    this.items = [...back.map((view): Upload => ({ key: `u${++seq}`, name: view.name, size: view.size, preview: null, progress: 100, view })), ...this.items];
    this.changed();
  }

  retry(key: string): void {
    const u = this.items.find((x) => x.key === key);
    if (u?.error && retryable(u.error)) this.start(key);
  }

  remove(key: string): void {
    this.aborts.get(key)?.();
    this.forget(key);
    this.tooMany = false;
    this.changed();
  }

  /** After the message took the files: forget them (their previews too). */
  clear(): void {
    for (const u of this.items) this.forget(u.key);
    this.tooMany = false;
    this.changed();
  }

  private forget(key: string) {
    const u = this.items.find((x) => x.key === key);
    if (u?.preview && typeof URL.revokeObjectURL === 'function') URL.revokeObjectURL(u.preview);
    this.items = this.items.filter((x) => x.key !== key);
    this.files.delete(key);
    this.aborts.delete(key);
  }

  private patch(key: string, p: Partial<Upload>) {
    if (!this.files.has(key)) return;
    this.items = this.items.map((u) => (u.key === key ? { ...u, ...p } : u));
    this.changed();
  }

  private start(key: string) {
    const file = this.files.get(key)!;
    const name = this.items.find((u) => u.key === key)!.name;
    this.patch(key, { error: undefined, progress: 0 });
    const named = file.name ? file : new File([file], name, { type: file.type });
    const run = this.sender(this.conversationId, named, (progress) => this.patch(key, { progress }));
    this.aborts.set(key, run.abort);
    run.done.then(
      (view) => this.patch(key, { view, progress: 100 }),
      (e: unknown) => {
        const code = e instanceof UploadError ? e.code : 'failed';
        if (code !== 'aborted') this.patch(key, { error: code, progress: 0 });
      },
    );
  }
}

/** A file's size in the agent's language (B, kB, MB). */
export function fmtSize(locale: Locale, bytes: number): string {
  const [unit, n] = bytes < 1000 ? (['byte', bytes] as const) : bytes < 1_000_000 ? (['kilobyte', bytes / 1000] as const) : (['megabyte', bytes / 1_000_000] as const);
  return new Intl.NumberFormat(INTL_TAG[locale], { style: 'unit', unit, unitDisplay: unit === 'byte' ? 'long' : 'short', maximumFractionDigits: unit === 'megabyte' ? 1 : 0 }).format(n);
}

const ERRORS = new Set(['payload_too_large', 'unsupported_media_type', 'rate_limited', 'conversation_closed']);
/** A refusal for what the file is (its size, its kind) stays one on a retry; a network failure or a rate limit may not. */
const retryable = (code: string) => code !== 'payload_too_large' && code !== 'unsupported_media_type';

/** The composer's tray: each file with its preview, progress or refusal, Retry and Remove. */
export function Tray({ uploads }: { uploads: Uploads }) {
  const { t, locale } = useConsole();
  const max = uploads.maxBytes;
  const why = (code: string) =>
    code === 'payload_too_large' && max
      ? t('attach.err.tooLargeMax', { max: new Intl.NumberFormat(INTL_TAG[locale], { maximumFractionDigits: 1 }).format(max / 1048576) })
      : t(`attach.err.${ERRORS.has(code) ? code : 'failed'}`);
  if (!uploads.items.length && !uploads.tooMany) return null;
  return (
    <div class="tray">
      <ul class="tray-list" aria-label={t('attach.tray')}>
        {uploads.items.map((u) => (
          <li key={u.key} class={u.error ? 'tray-item tray-item--error' : 'tray-item'} data-upload={u.view ? 'done' : u.error ? 'failed' : 'uploading'}>
            {u.preview || u.view?.thumb ? <img class="tray-preview" src={u.preview ?? fileUrl(u.view!, true)} alt="" /> : <span class="tray-preview tray-preview--file" aria-hidden="true" />}
            <span class="tray-text">
              <span class="tray-name">{u.name}</span>
              <span class="muted small">{fmtSize(locale, u.size)}</span>
              {u.error ? (
                <span class="error small" role="alert">
                  {why(u.error)}
                </span>
              ) : u.view ? (
                <span class="small">{t('attach.ready')}</span>
              ) : (
                <progress max={100} value={u.progress} aria-label={t('attach.uploading', { pct: u.progress })} />
              )}
            </span>
            {u.error && retryable(u.error) ? (
              <button type="button" class="btn btn--small" onClick={() => uploads.retry(u.key)}>
                {t('attach.retry')}
              </button>
            ) : null}
            <button type="button" class="btn btn--small" aria-label={t('attach.remove', { name: u.name })} onClick={() => uploads.remove(u.key)}>
              ×
            </button>
          </li>
        ))}
      </ul>
      {uploads.tooMany ? (
        <p class="error small" role="alert">
          {t('attach.tooMany', { max: MAX_ATTACHMENTS })}
        </p>
      ) : null}
      {uploads.busy ? <p class="muted small">{t('attach.wait')}</p> : null}
    </div>
  );
}

/**
 * The files a message carries (or a pending one: its uploader may already see them): images as
 * thumbnails opening the viewer, other files as download links with name and size.
 */
export function Files({ list }: { list: readonly AttachmentView[] }) {
  const { t, locale } = useConsole();
  const [shown, setShown] = useState<{ id: string; from: HTMLElement } | null>(null);
  const box = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    // Files appear a moment after their message (this chunk loads on demand): a log that was at its end stays there.
    const el = box.current;
    const log = el?.closest<HTMLElement>('.msgs-scroll');
    if (el && log && log.scrollHeight - log.clientHeight - log.scrollTop <= el.offsetHeight + 48) log.scrollTop = log.scrollHeight;
  }, []);
  const images = list.filter((a) => a.image);
  const others = list.filter((a) => !a.image);
  return (
    <div class="files" ref={box}>
      {images.length ? (
        <ul class="thumbs" aria-label={t('attach.files')}>
          {images.map((a) => (
            <li key={a.id}>
              <button type="button" class="thumb" data-attachment-id={a.id} aria-label={t('attach.open', { name: a.name })} onClick={(e) => setShown({ id: a.id, from: e.currentTarget })}>
                <img src={fileUrl(a, a.thumb)} alt="" loading="lazy" decoding="async" {...thumbBox(a)} />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {others.length ? (
        <ul class="file-links" aria-label={t('attach.files')}>
          {others.map((a) => (
            <li key={a.id}>
              <a href={fileUrl(a)} download={a.name} class="file-link">
                {a.name}
              </a>{' '}
              <span class="muted small">{fmtSize(locale, a.size)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      {/* In the top layer from the body: not inside the message log (a live region) nor clipped by it. */}
      {shown ? (
        <InBody>
          <Lightbox first={shown.id} fallback={images} onClose={(id) => closeTo(id, shown.from, setShown)} />
        </InBody>
      ) : null}
    </div>
  );
}

/** Render `children` in an element of its own at the end of the body, with the console's context. */
function InBody({ children }: { children: ComponentChildren }) {
  const ctx = useConsole();
  const host = useMemo(() => document.body.appendChild(document.createElement('div')), []);
  useLayoutEffect(() => render(<Ctx.Provider value={ctx}>{children}</Ctx.Provider>, host));
  useEffect(
    () => () => {
      render(null, host);
      host.remove();
    },
    [host],
  );
  return null;
}

/** The thumbnail's box before it loads (no layout jump in the log): within 160×120, the image's ratio. */
function thumbBox(a: AttachmentView): { width?: number; height?: number } {
  if (!a.width || !a.height) return {};
  const k = Math.min(1, 160 / a.width, 120 / a.height);
  return { width: Math.max(1, Math.round(a.width * k)), height: Math.max(1, Math.round(a.height * k)) };
}

/** Close the viewer and give focus back to the thumbnail of the image last shown (else the one that opened it). */
function closeTo(id: string, from: HTMLElement, set: (v: null) => void) {
  set(null);
  const el = [...document.querySelectorAll<HTMLElement>('button.thumb')].find((b) => b.dataset.attachmentId === id);
  (el ?? from).focus();
}

/** The images of the open conversation, in order (the viewer's previous/next). */
function useConversationImages(fallback: readonly AttachmentView[]): AttachmentView[] {
  const { store } = useConsole();
  const messages = useStore(store, (s) => s.open?.messages);
  return useMemo(() => {
    const all = (messages ?? []).flatMap((m) => (m.attachments ?? []).filter((a) => a.image));
    return all.length ? all : [...fallback];
  }, [messages, fallback]);
}

/**
 * The image viewer: a modal dialog (focus moves into it; Esc or Close closes it and focus returns to
 * the thumbnail), the full image, its position, a download link; ← and → go through the conversation's
 * images.
 */
export function Lightbox({ first, fallback, onClose }: { first: string; fallback: readonly AttachmentView[]; onClose(lastId: string): void }) {
  const { t } = useConsole();
  const images = useConversationImages(fallback);
  const [id, setId] = useState(first);
  const ref = useRef<HTMLDialogElement>(null);
  const closeBtn = useRef<HTMLButtonElement>(null);
  const i = Math.max(0, images.findIndex((a) => a.id === id));
  const a = images[i];
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal?.();
    closeBtn.current?.focus();
    return () => d?.close?.();
  }, []);
  if (!a) return null;
  const go = (step: number) => setId(images[(i + step + images.length) % images.length]!.id);
  const many = images.length > 1;
  return (
    <dialog
      ref={ref}
      class="lightbox"
      aria-label={t('attach.viewer', { name: a.name })}
      onCancel={(e) => {
        e.preventDefault();
        onClose(a.id);
      }}
      onKeyDown={(e) => {
        if (!many || (e.target as HTMLElement).tagName === 'A') return;
        if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
          e.preventDefault();
          go(e.key === 'ArrowRight' ? 1 : -1);
        }
      }}
    >
      <div class="lightbox-bar">
        <span class="lightbox-name">{a.name}</span>
        {many ? <span class="muted small">{t('attach.position', { n: i + 1, total: images.length })}</span> : null}
        <a class="btn btn--small" href={fileUrl(a)} download={a.name} aria-label={t('attach.download', { name: a.name })}>
          {t('attach.downloadShort')}
        </a>
        <button type="button" ref={closeBtn} class="btn btn--small" onClick={() => onClose(a.id)}>
          {t('attach.close')}
        </button>
      </div>
      <div class="lightbox-stage">
        {many ? (
          <button type="button" class="btn lightbox-nav" aria-label={t('attach.prev')} onClick={() => go(-1)}>
            ‹
          </button>
        ) : null}
        <img class="lightbox-img" src={fileUrl(a)} alt={a.name} {...(a.width && a.height ? { width: a.width, height: a.height } : {})} />
        {many ? (
          <button type="button" class="btn lightbox-nav" aria-label={t('attach.next')} onClick={() => go(1)}>
            ›
          </button>
        ) : null}
      </div>
    </dialog>
  );
}
