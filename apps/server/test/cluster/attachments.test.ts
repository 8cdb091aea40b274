import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idem } from '../client.ts';
import { agentSocket, login, startQuestion, visitor } from './flows.ts';
import { printLogsOnFailure, startClusterEnv, type ClusterEnv } from './harness.ts';

/**
 * Files in cluster mode: a screenshot uploaded through one process is seen live and downloaded by an
 * agent on another — with the attachments in an S3-compatible bucket (s3rver on loopback, as a
 * separate machine's storage would be) and with a folder every process mounts (the harness's default).
 */
let bucketDir: string;
let s3: S3rver;
let withBucket: ClusterEnv | undefined;
let withFolder: ClusterEnv | undefined;
beforeAll(async () => {
  bucketDir = mkdtempSync(join(tmpdir(), 'ajuda-cluster-s3-'));
  s3 = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: bucketDir, configureBuckets: [{ name: 'ajuda-files', configs: [] }] });
  const { port } = (await s3.run()) as { port: number };
  withBucket = await startClusterEnv({
    nodes: 2,
    env: { AJUDA_UPLOAD_S3_URL: `http://127.0.0.1:${port}/ajuda-files/cluster`, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' },
  });
  withFolder = await startClusterEnv({ nodes: 2 });
});
afterAll(async () => {
  await withBucket?.close();
  await withFolder?.close();
  await s3?.close();
  rmSync(bucketDir, { recursive: true, force: true, maxRetries: 5 });
});
printLogsOnFailure(() => withBucket);

async function acrossNodes(env: ClusterEnv) {
  const [a, b] = env.nodes;
  // The requester is on node A; Lea (a lead, every queue) on node B.
  const lea = await agentSocket(b!, await login(b!, 'lea@ajuda.local'));
  await lea.request({ type: 'inbox.get' }, 'inbox');
  const v = await visitor(a!);
  const c = await startQuestion(v, { question: 'The export page shows an error' });
  const png = await sharp({ create: { width: 48, height: 30, channels: 3, background: '#aa2244' } }).png().toBuffer();
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(png)]), 'error.png');
  const up = await fetch(`${a!.url}/api/attachments?conversationId=${c.id}`, { method: 'POST', headers: { authorization: `Bearer ${v.visitorToken}` }, body: form });
  expect(up.status).toBe(201);
  const [att] = ((await up.json()) as { attachments: Array<{ id: string }> }).attachments;
  const ack = await v.request({ type: 'message.send', conversationId: c.id, clientMsgId: idem(), body: 'See the screenshot', attachments: [att!.id] }, 'message.ack', 20_000);

  const opened = await lea.request({ type: 'conversation.open', conversationId: c.id }, 'conversation.snapshot', 20_000);
  const m = opened.messages.find((x) => x.seq === ack.seq);
  expect(m?.attachments).toEqual([expect.objectContaining({ id: att!.id, name: 'error.png', image: true, thumb: true })]);
  const cookie = `ajuda_agent=${await login(b!, 'lea@ajuda.local')}`;
  const file = await fetch(`${b!.url}/api/attachments/${att!.id}`, { headers: { cookie } });
  expect(file.status).toBe(200);
  const bytes = Buffer.from(await file.arrayBuffer());
  expect((await sharp(bytes).metadata()).width).toBe(48);
  expect((await fetch(`${b!.url}/api/attachments/${att!.id}/thumb`, { headers: { cookie } })).headers.get('content-type')).toBe('image/webp');
  // The requester downloads it back through node B too.
  expect((await fetch(`${b!.url}/api/attachments/${att!.id}`, { headers: { authorization: `Bearer ${v.visitorToken}` } })).status).toBe(200);
  lea.close();
  v.close();
}

describe('attachments across processes', () => {
  it('a bucket: uploaded through node A, seen in the conversation and downloaded through node B', async () => {
    await acrossNodes(withBucket!);
  });
  it('a folder every process mounts: the same', async () => {
    await acrossNodes(withFolder!);
  });
});
