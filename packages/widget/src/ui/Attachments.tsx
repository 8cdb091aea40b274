import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Translate } from '@ajuda/i18n';
import type { AttachmentView } from '@ajuda/protocol';
import { useApp } from './context.ts';
import { errorText } from './common.tsx';

/**
 * Attachments in the widget (lazy: part of the Conversation and IntakeForm chunks, never of the entry).
 * Files are uploaded at once to `POST /api/attachments` with the session's credential; a message takes
 * them by id through the outbox (so a message with files survives a reload like any other). Files
 * shown in messages are fetched with the same credential and shown from memory (blob: URLs).
 */

export interface Upload {
  key: string;
  name: string;
  /** A local preview of an image (blob: URL), revoked when the item goes. */
  preview: string | null;
  progress: number;
  view?: AttachmentView;
  error?: string;
  /** Refused before sending (larger than the server takes): trying again cannot help. */
  final?: boolean;
}

/**
 * "Too large", with the server's limit when session.ready said it (in MB, as AJUDA_UPLOAD_MAX_MB).
 * @example tooLarge(t, 'en', 10485760) // 'The file is too large (the limit is 10 MB).'
 */
export function tooLarge(t: Translate, locale: string, max: number | undefined): string {
  return max ? t('attach.tooLargeMax', { max: new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(max / 1048576) }) : t('attach.tooLarge');
}

let n = 0;
/** The protocol's MAX_ATTACHMENTS (a message takes at most 10 files); not imported, so this chunk stays free of the schemas. */
export const MAX_ATTACHMENTS = 10;

/** Uploaded files kept in a draft (what the server said of them), back as done tray items; anything else in storage is skipped. */
function savedUploads(raw: string | null): Upload[] {
  try {
    const list: unknown = JSON.parse(raw ?? '[]');
    return (Array.isArray(list) ? list : [])
      .filter((v): v is AttachmentView => !!v && typeof v.id === 'string' && typeof v.name === 'string')
      .slice(0, MAX_ATTACHMENTS)
      .map((view) => ({ key: `u${n++}`, name: view.name, preview: null, progress: 100, view }));
  } catch {
    return [];
  }
}

/**
 * The files picked for the next message: add (paperclip, drop, paste), upload with progress, retry,
 * remove. Uploaded ones belong to the conversation's draft: after a reload they are back in the tray.
 */
export function useUploads(conversationId: string) {
  const { actions, t, state } = useApp();
  const draft = `files:${conversationId}`;
  const [items, setItems] = useState<Upload[]>(() => savedUploads(actions.getDraft(draft)));
  // Written when the set of uploaded files changes (not at every progress tick).
  const uploaded = JSON.stringify(items.flatMap((u) => (u.view ? [u.view] : [])));
  useEffect(() => actions.setDraft(draft, uploaded === '[]' ? null : uploaded), [uploaded]);
  const files = useRef(new Map<string, File>());
  const xhrs = useRef(new Map<string, XMLHttpRequest>());
  const patch = (key: string, p: Partial<Upload>) => setItems((list) => list.map((u) => (u.key === key ? { ...u, ...p } : u)));

  const start = (key: string) => {
    const file = files.current.get(key);
    if (!file) return;
    const xhr = new XMLHttpRequest();
    xhrs.current.set(key, xhr);
    const form = new FormData();
    form.append('file', file, file.name || 'screenshot.png');
    xhr.open('POST', `/api/attachments?conversationId=${encodeURIComponent(conversationId)}`);
    xhr.setRequestHeader('Authorization', actions.auth());
    xhr.upload.onprogress = (e) => e.lengthComputable && patch(key, { progress: Math.min(99, Math.round((e.loaded / e.total) * 100)) });
    // Too large or of a kind never taken: final (no retry); anything else may pass on a retry.
    const fail = (code: string) =>
      patch(key, {
        error: code === 'payload_too_large' ? tooLarge(t, state.locale, state.uploadMaxBytes) : code === 'unsupported_media_type' ? t('attach.type') : errorText(t, { code }),
        final: code === 'payload_too_large' || code === 'unsupported_media_type',
        progress: 0,
      });
    xhr.onerror = () => fail('unavailable');
    xhr.onload = () => {
      xhrs.current.delete(key);
      let body: { attachments?: AttachmentView[]; code?: string } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* a proxy's page: answered below by the status */
      }
      if (xhr.status === 201 && body.attachments?.[0]) patch(key, { view: body.attachments[0], progress: 100, error: undefined });
      else fail(body.code ?? (xhr.status === 413 ? 'payload_too_large' : xhr.status === 415 ? 'unsupported_media_type' : 'unavailable'));
    };
    patch(key, { error: undefined, progress: 0 });
    xhr.send(form);
  };

  /** Adds files and starts uploading them; returns their keys. */
  const add = (list: Iterable<File>): string[] => {
    const added: Upload[] = [];
    const max = state.uploadMaxBytes;
    for (const file of list) {
      const key = `u${n++}`;
      files.current.set(key, file);
      // Larger than the server takes: refused here, before a byte goes over a phone's network.
      const big = !!max && file.size > max;
      added.push({ key, name: file.name || 'screenshot.png', preview: !big && /^image\/(png|jpeg|gif|webp)$/.test(file.type) ? URL.createObjectURL(file) : null, progress: 0, ...(big ? { error: tooLarge(t, state.locale, max), final: true } : {}) });
    }
    if (!added.length) return [];
    setItems((l) => [...l, ...added].slice(0, MAX_ATTACHMENTS));
    for (const u of added) if (!u.final) start(u.key);
    return added.map((u) => u.key);
  };
  const drop = (key: string) => {
    xhrs.current.get(key)?.abort();
    xhrs.current.delete(key);
    files.current.delete(key);
    setItems((l) => {
      l.find((u) => u.key === key && u.preview && (URL.revokeObjectURL(u.preview), true));
      return l.filter((u) => u.key !== key);
    });
  };
  const clear = () => {
    for (const u of items) if (u.preview) URL.revokeObjectURL(u.preview);
    files.current.clear();
    setItems([]);
  };
  useEffect(() => () => xhrs.current.forEach((x) => x.abort()), []);
  return {
    items,
    add,
    remove: drop,
    retry: start,
    clear,
    /** Every file uploaded (none waiting or failed). */
    ready: items.every((u) => u.view),
    views: () => items.flatMap((u) => (u.view ? [u.view] : [])),
  };
}

export type Uploads = ReturnType<typeof useUploads>;

const Clip = () => (
  <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
    <path fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" d="M21 11.5l-8.6 8.6a5.5 5.5 0 01-7.8-7.8l9-9a3.7 3.7 0 015.2 5.2l-9 9a1.8 1.8 0 01-2.6-2.6l8.3-8.3" />
  </svg>
);

/** The paperclip: a real button that opens the file picker (keyboard and screen readers included). */
export function AttachButton({ onFiles, id = 'attach-input', text, describedBy }: { onFiles: (files: File[]) => void; id?: string; text?: boolean; describedBy?: string }) {
  const { t } = useApp();
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      {text ? (
        <button type="button" class="secondary attach-text" aria-describedby={describedBy} onClick={() => input.current?.click()}>
          <Clip /> {t('attach.add')}
        </button>
      ) : (
        <button type="button" class="icon-btn attach-btn" aria-label={t('attach.add')} title={t('attach.add')} onClick={() => input.current?.click()}>
          <Clip />
        </button>
      )}
      <input
        ref={input}
        id={id}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        aria-label={t('attach.add')}
        accept="image/png,image/jpeg,image/gif,image/webp,application/pdf,application/zip,.txt,.log,.csv,.json,.har,.zip"
        onChange={(e) => {
          const el = e.currentTarget as HTMLInputElement;
          if (el.files?.length) onFiles(Array.from(el.files));
          el.value = '';
        }}
      />
    </>
  );
}

/** The files waiting to be sent: a preview, progress or the reason it failed, retry and remove. */
export function UploadTray({ uploads }: { uploads: Uploads }) {
  const { t } = useApp();
  if (!uploads.items.length) return null;
  return (
    <ul class="tray" aria-label={t('attach.list')}>
      {uploads.items.map((u) => (
        <li key={u.key} class={`tray-item${u.error ? ' tray-error' : ''}`} data-upload={u.view ? 'done' : u.error ? 'failed' : 'uploading'}>
          {u.preview ? <img class="tray-thumb" src={u.preview} alt="" /> : u.view?.thumb ? <SavedThumb id={u.view.id} name={u.name} /> : <span class="tray-thumb tray-file" aria-hidden="true">{ext(u.name)}</span>}
          <span class="tray-text">
            <span class="tray-name">{u.name}</span>
            {u.error ? (
              <span class="field-error">{t('attach.failed', { reason: u.error })}</span>
            ) : (
              !u.view && (
                <span class="tray-progress" role="status">
                  {t('attach.uploading', { percent: u.progress })}
                </span>
              )
            )}
          </span>
          {u.error && !u.final && (
            <button type="button" class="small-btn" onClick={() => uploads.retry(u.key)}>
              {t('attach.retry')}
            </button>
          )}
          <button type="button" class="icon-btn" aria-label={t('attach.remove', { name: u.name })} title={t('attach.remove', { name: u.name })} onClick={() => uploads.remove(u.key)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/** A thumbnail's size on screen: the image fitted in 200×160 (never enlarged). */
export function fit(width?: number, height?: number): { width: number; height: number } {
  if (!width || !height) return { width: 96, height: 72 };
  const k = Math.min(1, 200 / width, 160 / height);
  return { width: Math.max(1, Math.round(width * k)), height: Math.max(1, Math.round(height * k)) };
}

const ext = (name: string) => (/\.([a-z0-9]{1,4})$/i.exec(name)?.[1] ?? 'file').toUpperCase();
const size = (b: number) => (b < 1024 ? `${b} B` : b < 1048576 ? `${Math.round(b / 1024)} KB` : `${(b / 1048576).toFixed(1)} MB`);

/** The preview of an image uploaded before a reload: the server's thumbnail (the picked file is gone). */
function SavedThumb({ id, name }: { id: string; name: string }) {
  const src = useBlobUrl(id, true);
  return src ? <img class="tray-thumb" src={src} alt="" /> : <span class="tray-thumb tray-file" aria-hidden="true">{ext(name)}</span>;
}

/** A file of the conversation, fetched with the session's credential (the browser cannot send it on an <img>). */
function useBlobUrl(id: string, thumb: boolean): string | null {
  const { actions } = useApp();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let made: string | null = null;
    let live = true;
    fetch(`/api/attachments/${encodeURIComponent(id)}${thumb ? '/thumb' : ''}`, { headers: { Authorization: actions.auth() } })
      .then((r) => (r.ok ? r.blob() : null))
      .then((b) => {
        if (b && live) setUrl((made = URL.createObjectURL(b)));
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [id, thumb]);
  return url;
}

async function download(auth: string, a: AttachmentView) {
  const r = await fetch(`/api/attachments/${encodeURIComponent(a.id)}`, { headers: { Authorization: auth } });
  if (!r.ok) return;
  const url = URL.createObjectURL(await r.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = a.name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function Thumb({ a, onOpen }: { a: AttachmentView; onOpen: (a: AttachmentView, from: HTMLElement) => void }) {
  const { t } = useApp();
  const src = useBlobUrl(a.id, true);
  // The thumbnail's box is sized from the image's dimensions before it arrives, so the log does not
  // grow under the person's eyes (the newest message stays in view).
  const box = fit(a.width, a.height);
  return (
    <button type="button" class="att-thumb" aria-label={t('attach.open', { name: a.name })} aria-haspopup="dialog" onClick={(e) => onOpen(a, e.currentTarget)}>
      {src ? <img src={src} alt="" width={box.width} height={box.height} /> : <span class="att-ph" style={box} />}
    </button>
  );
}

/**
 * An image large, in a modal dialog: its name, a download button and a close button. Esc or the close
 * button (or a click on the backdrop) closes it; focus stays inside while open and returns to the
 * thumbnail that opened it.
 */
export function Lightbox({ a, onClose }: { a: AttachmentView; onClose: () => void }) {
  const { actions, t } = useApp();
  const src = useBlobUrl(a.id, false);
  const box = useRef<HTMLDivElement>(null);
  const close = useRef<HTMLButtonElement>(null);
  useEffect(() => close.current?.focus(), []);
  return (
    <div class="lightbox" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div
        ref={box}
        class="lightbox-box"
        role="dialog"
        aria-modal="true"
        aria-labelledby="lightbox-name"
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.stopPropagation();
            onClose();
          } else if (e.key === 'Tab') {
            // Focus stays in the dialog: Tab from the last button goes to the first, Shift+Tab back.
            const all = Array.from(box.current?.querySelectorAll<HTMLElement>('button') ?? []);
            const i = all.indexOf(document.activeElement as HTMLElement);
            const next = e.shiftKey ? (i <= 0 ? all.length - 1 : i - 1) : i === all.length - 1 ? 0 : i + 1;
            e.preventDefault();
            all[next]?.focus();
          }
        }}
      >
        <div class="lightbox-bar">
          <p id="lightbox-name" class="att-name">
            {a.name}
          </p>
          <button type="button" class="small-btn" onClick={() => void download(actions.auth(), a)}>
            {t('attach.save')}
          </button>
          <button ref={close} type="button" class="icon-btn" aria-label={t('attach.close')} title={t('attach.close')} onClick={onClose}>
            ×
          </button>
        </div>
        <div class="lightbox-img">{src ? <img src={src} alt={a.name} /> : <span class="muted">…</span>}</div>
      </div>
    </div>
  );
}

/** The files a message carries: images as thumbnails, other files as download buttons. */
type Opened = { a: AttachmentView; from: HTMLElement };
let show: ((o: Opened) => void) | null = null;

/**
 * Where the lightbox opens: outside the message log (a dialog is not part of the log, and the log's
 * scrolling does not clip it). The conversation screen renders one.
 */
export function LightboxHost() {
  const [open, setOpen] = useState<Opened | null>(null);
  useEffect(() => {
    show = setOpen;
    return () => {
      if (show === setOpen) show = null;
    };
  }, []);
  if (!open) return null;
  const close = () => {
    setOpen(null);
    // Focus goes back to the thumbnail that opened the image.
    if (open.from.isConnected) open.from.focus();
  };
  return <Lightbox a={open.a} onClose={close} />;
}

export function MessageFiles({ list }: { list: readonly AttachmentView[] | undefined }) {
  const { actions, t } = useApp();
  if (!list?.length) return null;
  return (
    <ul class="att-list">
      {list.map((a) => (
        <li key={a.id}>
          {a.thumb ? (
            <Thumb a={a} onOpen={(a, from) => show?.({ a, from })} />
          ) : (
            <button type="button" class="att-file" onClick={() => void download(actions.auth(), a)}>
              {/* Named "Download <name> <size>": the visible text is part of the name (WCAG 2.5.3). */}
              <span class="sr-only">{t('attach.save')} </span>
              <span class="tray-file" aria-hidden="true">
                {ext(a.name)}
              </span>
              <span class="att-name">{a.name}</span>
              <span class="att-size">{size(a.size)}</span>
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

/** Files from the clipboard (a pasted screenshot) or a drop. */
export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  const out = Array.from(data.files ?? []);
  if (!out.length) for (const item of Array.from(data.items ?? [])) if (item.kind === 'file') out.push(...[item.getAsFile()].filter((f): f is File => !!f));
  return out;
}

/**
 * Evidence picked in the intake form, before the conversation exists (uploads need one): handed to that
 * conversation's composer, which uploads it at once and sends it as a message of its own.
 */
const handed = new Map<string, File[]>();
export function handOffEvidence(conversationId: string, files: readonly File[]): void {
  if (files.length) handed.set(conversationId, [...(handed.get(conversationId) ?? []), ...files]);
}
export function takeEvidence(conversationId: string): File[] {
  const files = handed.get(conversationId) ?? [];
  handed.delete(conversationId);
  return files;
}

/** The intake form's evidence files: picked (paperclip or drop) and previewed here, removable, uploaded once the conversation exists. */
export function EvidencePicker({ files, onChange }: { files: readonly File[]; onChange: (files: File[]) => void }) {
  const { t, state } = useApp();
  const previews = useMemo(() => files.map((f) => (/^image\/(png|jpeg|gif|webp)$/.test(f.type) ? URL.createObjectURL(f) : null)), [files]);
  useEffect(() => () => previews.forEach((u) => u && URL.revokeObjectURL(u)), [previews]);
  // A file larger than the server takes is refused as it is picked, named, not when the request is sent.
  const [refused, setRefused] = useState<string | null>(null);
  const addFiles = (more: File[]) => {
    const max = state.uploadMaxBytes;
    const big = more.filter((f) => max && f.size > max);
    setRefused(big.length ? `${big.map((f) => f.name || 'screenshot.png').join(', ')}: ${tooLarge(t, state.locale, max)}` : null);
    onChange([...files, ...more.filter((f) => !big.includes(f))].slice(0, MAX_ATTACHMENTS));
  };
  return (
    <div
      class="field"
      role="group"
      aria-labelledby="evidence-label"
      onDragOver={(e) => e.dataTransfer?.types.includes('Files') && e.preventDefault()}
      onDrop={(e) => {
        const more = filesOf(e.dataTransfer);
        if (!more.length) return;
        e.preventDefault();
        addFiles(more);
      }}
    >
      <p id="evidence-label" class="field-title">
        {t('attach.evidence')}
      </p>
      <p id="evidence-help" class="help">
        {t('attach.evidence.help')}
      </p>
      {files.length > 0 && (
        <ul class="tray" aria-labelledby="evidence-label">
          {files.map((f, i) => (
            <li key={`${i}:${f.name}`} class="tray-item">
              {previews[i] ? <img class="tray-thumb" src={previews[i]!} alt="" /> : <span class="tray-thumb tray-file" aria-hidden="true">{ext(f.name)}</span>}
              <span class="tray-text">
                <span class="tray-name">{f.name || 'screenshot.png'}</span>
                <span class="tray-progress">{size(f.size)}</span>
              </span>
              <button type="button" class="icon-btn" aria-label={t('attach.remove', { name: f.name })} title={t('attach.remove', { name: f.name })} onClick={() => onChange(files.filter((_, j) => j !== i))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {refused && (
        <p class="field-error" role="alert">
          {refused}
        </p>
      )}
      <div>
        <AttachButton id="evidence-input" text describedBy="evidence-help" onFiles={addFiles} />
      </div>
    </div>
  );
}
