import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../src/config.ts';
import { S3Storage, StorageError, contentKey } from '../src/attachments/storage.ts';
import { startTestStack, type TestStack } from '../src/testing.ts';
import { GENERAL, idem, requester, type TestClient } from './client.ts';

/**
 * Attachments in an S3-compatible bucket: the adapter against a server speaking the S3 protocol on
 * loopback (s3rver, objects on disk), then the whole upload → download path of the product with
 * AJUDA_UPLOAD_S3_URL set, and what a failing bucket does to a request (503, nothing accepted lost).
 */
let s3: S3rver;
let s3Dir: string;
let endpoint: string;
const creds = { region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', sessionToken: null };

beforeAll(async () => {
  s3Dir = mkdtempSync(join(tmpdir(), 'ajuda-s3-'));
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: s3Dir, configureBuckets: [{ name: 'ajuda-files', configs: [] }] });
  const { port } = (await s3.run()) as { port: number };
  endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await s3?.close();
  rmSync(s3Dir, { recursive: true, force: true, maxRetries: 5 });
});

/** Every object key in the bucket (s3rver keeps each as a folder of files named after the key). */
const objectsIn = (bucket: string) => {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name), rel ? `${rel}/${e.name}` : e.name);
      else if (e.name.endsWith('._S3rver_object')) out.push(rel ? `${rel}/${e.name.replace(/\._S3rver_object$/, '')}` : e.name.replace(/\._S3rver_object$/, ''));
    }
  };
  walk(join(s3Dir, bucket), '');
  return out.sort();
};

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

describe('S3Storage against an S3 server on loopback', () => {
  it('stores bytes under their content address (with the prefix), once; reads them back; a missing key is null; deletes', async () => {
    const s = new S3Storage({ ...creds, url: `${endpoint}/ajuda-files/tenant-a` });
    const bytes = Buffer.from('2026-12-06 12:00:01 ERROR pipeline stopped\n');
    const key = await s.put(bytes);
    expect(key).toBe(contentKey(bytes));
    expect(await s.put(bytes)).toBe(key);
    expect(objectsIn('ajuda-files')).toContain(`tenant-a/${key.slice(0, 2)}/${key}`);
    expect((await s.get(key))?.equals(bytes)).toBe(true);
    expect(await s.get(contentKey(Buffer.from('never stored')))).toBeNull();
    await s.delete(key);
    expect(await s.get(key)).toBeNull();
    await s.delete(key); // deleting what is gone is not an error
    await expect(s.get('../../etc/passwd')).rejects.toThrow(/not a content key/);
  });

  it('a bucket that does not exist or does not answer is `unavailable`, with the reason kept for the log only', async () => {
    const missing = new S3Storage({ ...creds, url: `${endpoint}/no-such-bucket` });
    const err = await missing.put(Buffer.from('x')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect(err).toMatchObject({ code: 'unavailable', message: 'the file storage is unavailable; try again' });
    expect((err as StorageError).reason).toMatch(/S3 PUT .*no-such-bucket: 404 NoSuchBucket/);
    const down = new S3Storage({ ...creds, url: `http://127.0.0.1:${await closedPort()}/ajuda-files` }, 2000);
    await expect(down.get(contentKey(Buffer.from('x')))).rejects.toMatchObject({ code: 'unavailable' });
  });
});

describe('the configuration of an S3 bucket', () => {
  it('needs the credentials and a bucket in the path; the default stays the disk', () => {
    expect(() => loadConfig({ AJUDA_DB_FILE: ':memory:', AJUDA_UPLOAD_S3_URL: `${endpoint}/ajuda-files` })).toThrow(ConfigError);
    expect(() => loadConfig({ AJUDA_DB_FILE: ':memory:', AJUDA_UPLOAD_S3_URL: `${endpoint}/ajuda-files` })).toThrow(/AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY/);
    expect(() => loadConfig({ AJUDA_DB_FILE: ':memory:', AJUDA_UPLOAD_S3_URL: endpoint, AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' })).toThrow(/bucket/);
    expect(() => loadConfig({ AJUDA_DB_FILE: ':memory:', AJUDA_UPLOAD_S3_URL: 'ftp://host/bucket', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' })).toThrow(ConfigError);
    const c = loadConfig({ AJUDA_DB_FILE: ':memory:', AJUDA_UPLOAD_S3_URL: `${endpoint}/ajuda-files/x/`, AJUDA_UPLOAD_S3_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b' });
    expect(c.uploads.s3).toEqual({ url: `${endpoint}/ajuda-files/x`, region: 'eu-west-1', accessKeyId: 'a', secretAccessKey: 'b', sessionToken: null });
    expect(loadConfig({ AJUDA_DB_FILE: ':memory:' }).uploads.s3).toBeNull();
  });
});

describe('the product with its attachments in the bucket', () => {
  let stack: TestStack;
  let broken: TestStack;
  const open: TestClient[] = [];
  beforeAll(async () => {
    const vars = { AJUDA_STARTS_PER_MINUTE: '600', AJUDA_UPLOADS_PER_MINUTE: '500', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
    stack = await startTestStack({ ...vars, AJUDA_UPLOAD_S3_URL: `${endpoint}/ajuda-files/product` }, { demo: false });
    broken = await startTestStack({ ...vars, AJUDA_UPLOAD_S3_URL: `http://127.0.0.1:${await closedPort()}/ajuda-files` }, { demo: false });
  });
  afterAll(async () => {
    for (const c of open) c.close();
    await stack?.close();
    await broken?.close();
  });

  async function visitorWithConversation(on: TestStack) {
    const v = await requester(on);
    open.push(v);
    const ready = v.frames.find((f) => f.type === 'session.ready') as { visitorToken: string };
    const started = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL('Screenshot attached') }, 'conversation.started');
    return { v, token: ready.visitorToken, id: started.conversation.id as string };
  }
  const upload = (on: TestStack, token: string, id: string, name: string, bytes: Buffer) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), name);
    return fetch(`${on.url}/api/attachments?conversationId=${id}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  };

  it('an uploaded screenshot and its thumbnail are objects in the bucket, and come back from it on download; a message carries the file', async () => {
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#cc3366' } }).png().toBuffer();
    const { v, token, id } = await visitorWithConversation(stack);
    const res = await upload(stack, token, id, 'screen.png', png);
    expect(res.status).toBe(201);
    const [att] = (await res.json()).attachments;
    const stored = objectsIn('ajuda-files').filter((k) => k.startsWith('product/'));
    expect(stored).toHaveLength(2); // the re-encoded image and its thumbnail

    const back = await fetch(`${stack.url}/api/attachments/${att.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(back.status).toBe(200);
    const bytes = Buffer.from(await back.arrayBuffer());
    expect(stored).toContain(`product/${contentKey(bytes).slice(0, 2)}/${contentKey(bytes)}`);
    expect((await sharp(bytes).metadata()).width).toBe(40);
    const thumb = await fetch(`${stack.url}/api/attachments/${att.id}/thumb`, { headers: { authorization: `Bearer ${token}` } });
    expect(thumb.headers.get('content-type')).toBe('image/webp');

    const ack = await v.request({ type: 'message.send', conversationId: id, clientMsgId: idem(), body: 'see the screenshot', attachments: [att.id] }, 'message.ack');
    expect(ack.seq).toBeGreaterThan(0);
  });

  it('while the bucket is down an upload is answered 503 unavailable (a problem, no detail of the bucket), and the conversation keeps working', async () => {
    const { v, token, id } = await visitorWithConversation(broken);
    const res = await upload(broken, token, id, 'log.txt', Buffer.from('2026-12-06 ERROR\n'));
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = await res.json();
    expect(body).toMatchObject({ code: 'unavailable', detail: 'the file storage is unavailable; try again' });
    expect(JSON.stringify(body)).not.toContain('127.0.0.1');
    expect(body.incident).toMatch(/^inc/);
    const ack = await v.request({ type: 'message.send', conversationId: id, clientMsgId: idem(), body: 'the upload failed, here is the log as text' }, 'message.ack');
    expect(ack.seq).toBeGreaterThan(0);
  });
});
