import type { Readable } from 'node:stream';
import type { AttachmentRow, MessageRow, Store } from '@ajuda/db';
import { AjudaError, AttachmentView, type AttachmentView as AttachmentViewT } from '@ajuda/protocol';
import { shortId } from '../crypto.ts';
import type { Config } from '../config.ts';
import { inspect } from './inspect.ts';
import { storageFor, type BlobStorage } from './storage.ts';

/** What `ingest` takes: the file (bytes, or a stream read up to the cap), its name, who uploads it and where. */
export interface IngestInput {
  bytes?: Buffer;
  stream?: Readable;
  filename: string;
  /** `requester` (the conversation's requester: widget, inbound email) or `agent:<id>` — the sender of the message that will carry it. */
  uploader: string;
  conversationId: string;
}

/** Read a stream into memory, refusing with `payload_too_large` (413) past `max` bytes. */
export async function readCapped(stream: Readable, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    n += b.length;
    if (n > max) {
      stream.destroy();
      throw new AjudaError('payload_too_large', `a file may be at most ${max} bytes`);
    }
    parts.push(b);
  }
  if ((stream as Readable & { truncated?: boolean }).truncated) throw new AjudaError('payload_too_large', `a file may be at most ${max} bytes`);
  return Buffer.concat(parts);
}

/** A safe file name to show and to offer in Content-Disposition: no path, no control characters, at most 200 characters. */
export function cleanName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"<>:|?*]/g, '_').replace(/^\.+/, '').trim().slice(0, 200);
  return clean || 'file';
}

/** The attachments a stored message carries (its params, written with it: see `Attachments.paramsFor`). */
export function messageAttachments(m: Pick<MessageRow, 'params' | 'kind'>): AttachmentViewT[] | undefined {
  const raw = m.kind !== 'system' ? m.params?.attachments : undefined;
  if (typeof raw !== 'string') return undefined;
  try {
    const list = AttachmentView.array().safeParse(JSON.parse(raw));
    return list.success && list.data.length ? list.data : undefined;
  } catch {
    return undefined;
  }
}

export function attachmentView(a: AttachmentRow): AttachmentViewT {
  return {
    id: a.id,
    name: a.filename,
    type: a.contentType,
    size: a.size,
    image: a.thumbKey !== null,
    ...(a.width ? { width: a.width } : {}),
    ...(a.height ? { height: a.height } : {}),
    thumb: a.thumbKey !== null,
  };
}

/**
 * The attachment pipeline: checks and stores files (`ingest`), lets a message take them (`paramsFor`),
 * and removes uploads no message took in time (`sweep`). One per server, at `svc.attachments`.
 *
 * Other server code (inbound email) routes files through the same pipeline:
 *
 * @example
 * const row = await svc.attachments.ingest({ bytes, filename: 'screen.png', uploader: 'requester', conversationId: c.id });
 * // then a message of the same sender takes it: appendFor(svc, p, { …, attachments: [row.id] }), or
 * // svc.store.appendMessage({ …, params: await svc.attachments.paramsFor([row.id], c.id, 'requester', clientMsgId) })
 */
export class Attachments {
  readonly storage: BlobStorage;
  constructor(
    private readonly store: Store,
    readonly config: Config['uploads'],
    private readonly now: () => Date,
    storage?: BlobStorage,
  ) {
    this.storage = storage ?? storageFor(config);
  }

  /**
   * Check one file and keep it: the size caps (413), the type from the bytes and the allow-list (415),
   * images re-encoded without metadata and with a thumbnail; then the bytes in the blob storage and a
   * row bound to `uploader` and `conversationId`, expiring unless a message takes it. The caller has
   * checked that the uploader may write in the conversation.
   */
  async ingest(input: IngestInput): Promise<AttachmentRow> {
    const max = this.config.maxBytes;
    const raw = input.bytes ?? (input.stream ? await readCapped(input.stream, max) : undefined);
    if (!raw) throw new AjudaError('bad_request', 'no file');
    if (raw.length > max) throw new AjudaError('payload_too_large', `a file may be at most ${max} bytes`);
    const used = await this.store.attachments.totalSize(input.conversationId);
    if (used + raw.length > this.config.conversationMaxBytes)
      throw new AjudaError('payload_too_large', `this conversation's attachments may total at most ${this.config.conversationMaxBytes} bytes`);
    const filename = cleanName(input.filename);
    const decided = await inspect(raw, filename, this.config.maxPixels);
    const blobKey = await this.storage.put(decided.bytes);
    const thumbKey = decided.image ? await this.storage.put(decided.image.thumb) : null;
    const at = this.now();
    const row: AttachmentRow = {
      id: shortId('att'),
      conversationId: input.conversationId,
      uploader: input.uploader,
      filename,
      contentType: decided.contentType,
      size: decided.bytes.length,
      blobKey,
      thumbKey,
      width: decided.image?.width ?? null,
      height: decided.image?.height ?? null,
      clientMsgId: null,
      createdAt: at.toISOString(),
      expiresAt: new Date(at.getTime() + this.config.ttlMs).toISOString(),
    };
    await this.store.attachments.insert(row);
    return row;
  }

  /**
   * A message takes uploads: the params stored with it (`{ attachments: <JSON of their views> }`), or
   * `not_found` when one is missing, expired, another sender's or another conversation's, or taken by
   * another message (R7a: all answered alike). A retried send with the same client id takes them again.
   */
  async paramsFor(ids: readonly string[], conversationId: string, uploader: string, clientMsgId: string): Promise<{ attachments: string } | null> {
    if (!ids.length) return null;
    if (new Set(ids).size !== ids.length) throw new AjudaError('bad_frame', 'an attachment is listed twice');
    const rows = await this.store.attachments.claim(ids, conversationId, uploader, clientMsgId, this.now().toISOString());
    if (!rows) throw new AjudaError('not_found', 'an attachment is missing, expired or taken by another message');
    return { attachments: JSON.stringify(rows.map(attachmentView)) };
  }

  /** Remove expired uploads no message took, and the bytes no row references any more. */
  async sweep(limit = 500): Promise<number> {
    const r = await this.store.attachments.sweep(this.now().toISOString(), limit);
    for (const key of r.unreferenced) {
      // A new upload of the same bytes may have come in meanwhile: keep what a row references again.
      if (!(await this.store.attachments.referenced(key))) await this.storage.delete(key);
    }
    return r.removed.length;
  }
}
