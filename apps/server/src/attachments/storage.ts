import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Where attachments' bytes live, by key. Keys are content addresses (the SHA-256 of the bytes, hex):
 * the same bytes are stored once, and a key never names other bytes. The rows that reference a key
 * are in the store (`Store.attachments`); bytes no row references are removed by the sweep.
 *
 * Today: `DiskStorage` (local disk, the default). An S3-compatible adapter would implement the same
 * four calls; it is not available yet (README, "Attachments").
 */
export interface BlobStorage {
  /** Store `bytes`; returns their key. Idempotent: storing the same bytes again writes nothing new. */
  put(bytes: Buffer): Promise<string>;
  /** The bytes under `key`, or null when there are none. */
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
  /** Where this storage keeps its bytes, for the log. */
  readonly where: string;
}

export const contentKey = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const KEY = /^[0-9a-f]{64}$/;

/**
 * Attachments on local disk under `dir`, content-addressed: `<dir>/ab/cd/<sha256>`. A file is written
 * to a temporary name and renamed, so a reader never sees half a file. With no directory (an
 * in-memory database, tests) a temporary one is made.
 */
export class DiskStorage implements BlobStorage {
  readonly where: string;
  constructor(dir: string | null) {
    if (dir) mkdirSync(dir, { recursive: true });
    this.where = dir ?? mkdtempSync(join(tmpdir(), 'ajuda-uploads-'));
  }

  private path(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a content key: ${key}`);
    return join(this.where, key.slice(0, 2), key.slice(2, 4), key);
  }

  async put(bytes: Buffer): Promise<string> {
    const key = contentKey(bytes);
    const path = this.path(key);
    const have = await stat(path).catch(() => null);
    if (have?.size === bytes.length) return key;
    await mkdir(join(this.where, key.slice(0, 2), key.slice(2, 4)), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, bytes, { flush: true });
    await rename(tmp, path);
    return key;
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.path(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}
