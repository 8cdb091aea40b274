import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsClient } from 'aws4fetch';
import { AjudaError } from '@ajuda/protocol';
import type { S3Config } from '../config.ts';

/**
 * Where attachments' bytes live, by key. Keys are content addresses (the SHA-256 of the bytes, hex):
 * the same bytes are stored once, and a key never names other bytes. The rows that reference a key
 * are in the store (`Store.attachments`); bytes no row references are removed by the sweep.
 *
 * `DiskStorage` (local disk, the default) or `S3Storage` (an S3-compatible bucket, for several
 * processes on several machines): `storageFor(config.uploads)` picks one.
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

/**
 * The bucket failed (refused, errored or did not answer): the request gets `unavailable` (503) and the
 * reason goes to the log with its incident id, never to the client.
 */
export class StorageError extends AjudaError {
  constructor(readonly reason: string) {
    super('unavailable', 'the file storage is unavailable; try again');
    this.stack = `StorageError: ${reason}\n${this.stack ?? ''}`;
  }
}

/**
 * Attachments in an S3-compatible bucket (path-style `https://<endpoint>/<bucket>[/<prefix>]`), with
 * the same content addresses as on disk: `<prefix>/ab/<sha256>`. Requests are signed with AWS
 * Signature V4 (aws4fetch), retried on 5xx and 429 with backoff, and given up after `timeoutMs`.
 * An object is written whole by one PUT, so a reader never sees half of it.
 */
export class S3Storage implements BlobStorage {
  readonly where: string;
  private readonly client: AwsClient;
  constructor(
    config: S3Config,
    private readonly timeoutMs = 30_000,
  ) {
    this.where = config.url;
    this.client = new AwsClient({
      accessKeyId: config.accessKeyId,
      secretAccessKey: config.secretAccessKey,
      ...(config.sessionToken ? { sessionToken: config.sessionToken } : {}),
      service: 's3',
      region: config.region,
      retries: 3,
    });
  }

  private url(key: string): string {
    if (!KEY.test(key)) throw new Error(`not a content key: ${key}`);
    return `${this.where}/${key.slice(0, 2)}/${key}`;
  }

  private async call(key: string, method: 'GET' | 'PUT' | 'DELETE', body?: Buffer): Promise<Response> {
    const url = this.url(key);
    let r: Response;
    try {
      r = await this.client.fetch(url, {
        method,
        ...(body ? { body: new Uint8Array(body), headers: { 'content-type': 'application/octet-stream' } } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new StorageError(`S3 ${method} ${this.where}: ${(e as Error).message}`);
    }
    // 404: no such object (a null read, a delete already done); a PUT's 404 is a missing bucket.
    if (r.ok || (r.status === 404 && method !== 'PUT')) return r;
    const text = await r.text().catch(() => '');
    const code = /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1] ?? '';
    throw new StorageError(`S3 ${method} ${this.where}: ${r.status}${code ? ` ${code}` : ''}`);
  }

  /** One PUT: a key names only its own bytes, so writing the same bytes again changes nothing (no HEAD first). */
  async put(bytes: Buffer): Promise<string> {
    const key = contentKey(bytes);
    await this.call(key, 'PUT', bytes);
    return key;
  }

  async get(key: string): Promise<Buffer | null> {
    const r = await this.call(key, 'GET');
    return r.status === 404 ? null : Buffer.from(await r.arrayBuffer());
  }

  async delete(key: string): Promise<void> {
    await this.call(key, 'DELETE');
  }
}

/** The storage the configuration names: the bucket when AJUDA_UPLOAD_S3_URL is set, else the disk. */
export function storageFor(uploads: { dir: string | null; s3: S3Config | null }): BlobStorage {
  return uploads.s3 ? new S3Storage(uploads.s3) : new DiskStorage(uploads.dir);
}
