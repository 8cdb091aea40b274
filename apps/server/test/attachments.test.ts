import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startTestStack, type TestStack } from '../src/testing.ts';
import { agent, GENERAL, idem, requester, type TestClient } from './client.ts';

/**
 * Attachments through the real server: real files over multipart, the type decided from the bytes,
 * images re-encoded without EXIF/GPS, caps (413), refusals (415), visibility (R7: 404 alike), the
 * download headers, the audit of agents' downloads, expiry, and messages that carry files.
 */
let stack: TestStack;
const open: TestClient[] = [];
let now = Date.now();
beforeAll(async () => {
  stack = await startTestStack(
    { AJUDA_FRAMES_PER_SECOND: '500', AJUDA_FRAME_BURST: '500', AJUDA_STARTS_PER_MINUTE: '600', AJUDA_UPLOAD_MAX_MB: '1', AJUDA_UPLOAD_TTL_HOURS: '1', AJUDA_UPLOADS_PER_MINUTE: '500', AJUDA_UPLOAD_MAX_PIXELS: '1000000' },
    { demo: false, now: () => new Date(now) },
  );
});
afterAll(async () => {
  for (const c of open) c.close();
  await stack?.close();
});
const track = <T extends TestClient>(c: T): T => {
  open.push(c);
  return c;
};

/** A visitor with a conversation in the queue; their token is the one session.ready gave. */
async function visitorWithConversation() {
  const v = track(await requester(stack));
  const ready = v.frames.find((f) => f.type === 'session.ready') as { visitorToken: string };
  const started = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL('Screenshot attached') }, 'conversation.started');
  return { v, token: ready.visitorToken, id: started.conversation.id };
}

async function upload(token: string | null, conversationId: string, files: Array<{ name: string; bytes: Buffer; type?: string }>, cookie?: string) {
  const form = new FormData();
  for (const f of files) form.append('file', new Blob([new Uint8Array(f.bytes)], { type: f.type ?? 'application/octet-stream' }), f.name);
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (cookie) headers.cookie = cookie;
  return fetch(`${stack.url}/api/attachments?conversationId=${encodeURIComponent(conversationId)}`, { method: 'POST', headers, body: form });
}
const get = (path: string, auth: { token?: string; cookie?: string }) =>
  fetch(`${stack.url}${path}`, { headers: { ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}), ...(auth.cookie ? { cookie: auth.cookie } : {}) } });

const gpsPng = () =>
  sharp({ create: { width: 64, height: 48, channels: 3, background: '#3366cc' } })
    .png()
    .withExif({ IFD0: { Make: 'SecretCam' }, IFD3: { GPSLatitudeRef: 'S', GPSLatitude: '23/1 33/1 0/1' } })
    .toBuffer();

describe('attachments', () => {
  it('takes a PNG with GPS EXIF, gives it back re-encoded without it, and a message carries it to the agent', async () => {
    const png = await gpsPng();
    expect((await sharp(png).metadata()).exif).toBeDefined();
    const { v, token, id } = await visitorWithConversation();
    const res = await upload(token, id, [{ name: 'screen shot.png', bytes: png, type: 'image/png' }]);
    expect(res.status).toBe(201);
    const [att] = (await res.json()).attachments;
    expect(att).toMatchObject({ name: 'screen shot.png', type: 'image/png', image: true, thumb: true, width: 64, height: 48 });

    // The uploader sees it before sending (the preview); the bytes have no EXIF at all.
    const mine = await get(`/api/attachments/${att.id}`, { token });
    expect(mine.status).toBe(200);
    const back = Buffer.from(await mine.arrayBuffer());
    expect(back.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    const meta = await sharp(back).metadata();
    expect(meta.exif).toBeUndefined();
    expect(back.toString('latin1')).not.toContain('SecretCam');
    expect(back.toString('latin1')).not.toContain('eXIf');
    expect(mine.headers.get('content-type')).toBe('image/png');
    expect(mine.headers.get('x-content-type-options')).toBe('nosniff');
    expect(mine.headers.get('content-security-policy')).toBe('sandbox');
    expect(mine.headers.get('content-disposition')).toMatch(/^inline; filename="screen shot.png"/);
    const thumb = await get(`/api/attachments/${att.id}/thumb`, { token });
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(Buffer.from(await thumb.arrayBuffer())).metadata()).format).toBe('webp');

    // Before a message takes it, the agent cannot have it (only its uploader).
    const emma = track(await agent(stack, 'emma@ajuda.local'));
    const cookie = `ajuda_agent=${emma.token}`;
    expect((await get(`/api/attachments/${att.id}`, { cookie })).status).toBe(404);

    // A message with an empty body carries it.
    const ack = await v.request({ type: 'message.send', conversationId: id, clientMsgId: 'with-file', body: '', attachments: [att.id] }, 'message.ack');
    const snap = await emma.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    const m = snap.messages.find((x) => x.seq === ack.seq)!;
    expect(m.attachments).toEqual([expect.objectContaining({ id: att.id, name: 'screen shot.png', type: 'image/png', image: true })]);

    // Now the agent may download it, and it is audited.
    const dl = await get(`/api/attachments/${att.id}`, { cookie });
    expect(dl.status).toBe(200);
    expect(Buffer.from(await dl.arrayBuffer()).equals(back)).toBe(true);
    const audit = await stack.app.ajuda.svc.store.auditOf(id);
    expect(audit.filter((a) => a.action === 'attachment.downloaded')).toEqual([expect.objectContaining({ actor: 'agent:ag_emma', detail: expect.objectContaining({ attachmentId: att.id }) })]);

    // Another message cannot take the same upload; the retried send can.
    const again = await v.request({ type: 'message.send', conversationId: id, clientMsgId: 'steal', body: 'x', attachments: [att.id] }, 'error');
    expect(again.code).toBe('not_found');
    const retry = await v.request({ type: 'message.send', conversationId: id, clientMsgId: 'with-file', body: '', attachments: [att.id] }, 'message.ack');
    expect(retry.seq).toBe(ack.seq);
    // An empty message with no file is still refused.
    expect((await v.request({ type: 'message.send', conversationId: id, clientMsgId: 'empty', body: '' }, 'error')).code).toBe('bad_frame');
  });

  it('another requester and an agent without access get the same 404 as a missing id', async () => {
    const { v, token, id } = await visitorWithConversation();
    const res = await upload(token, id, [{ name: 'log.txt', bytes: Buffer.from('line 1\nline 2 ção\n') }]);
    const [att] = (await res.json()).attachments;
    await v.request({ type: 'message.send', conversationId: id, clientMsgId: 'log', body: 'my log', attachments: [att.id] }, 'message.ack');
    const other = await visitorWithConversation();
    const pedro = track(await agent(stack, 'pedro@ajuda.local'));
    const missing = await get('/api/attachments/att_doesnotexist', { token: other.token });
    const asOther = await get(`/api/attachments/${att.id}`, { token: other.token });
    const asPedro = await get(`/api/attachments/${att.id}`, { cookie: `ajuda_agent=${pedro.token}` });
    const missingThumb = await get(`/api/attachments/${att.id}/thumb`, { token });
    for (const r of [missing, asOther, asPedro, missingThumb]) {
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    const bodies = await Promise.all([missing, asOther, asPedro].map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    // Nor may another requester upload into it, or a stranger without credentials.
    expect((await upload(other.token, id, [{ name: 'a.txt', bytes: Buffer.from('hi') }])).status).toBe(404);
    expect((await upload(null, id, [{ name: 'a.txt', bytes: Buffer.from('hi') }])).status).toBe(401);
    // A text file is a download, UTF-8, never inline.
    const mine = await get(`/api/attachments/${att.id}`, { token });
    expect(mine.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(mine.headers.get('content-disposition')).toMatch(/^attachment; filename="log.txt"/);
    expect(await mine.text()).toBe('line 1\nline 2 ção\n');
  });

  it('refuses SVG with a script, HTML renamed .png, a polyglot, an executable and a bomb with 415; oversize with 413', async () => {
    const { token, id } = await visitorWithConversation();
    const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const html = Buffer.from('<!doctype html><html><body><script>alert(document.cookie)</script></body></html>');
    const pdfHtml = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('<html><script>alert(1)</script></html>\n%%EOF')]);
    const gifJs = Buffer.concat([Buffer.from('GIF89a/*'), Buffer.alloc(20, 0x20), Buffer.from('*/=1;alert(1)//')]);
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(120, 0)]);
    const htmlAsTxt = Buffer.from('  <html><script>alert(1)</script></html>');
    // 4000 × 4000 pixels of one colour (the cap here is 1,000,000 pixels): a small file that decodes to 48 MB.
    const bomb = await sharp({ create: { width: 4000, height: 4000, channels: 3, background: '#fff' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(bomb.length).toBeLessThan(100_000);
    for (const [name, bytes] of [['x.svg', svg], ['cat.png', html], ['report.pdf', pdfHtml], ['pic.gif', gifJs], ['tool.exe', elf], ['notes.txt', htmlAsTxt], ['bomb.png', bomb]] as const) {
      const r = await upload(token, id, [{ name, bytes, type: 'image/png' }]);
      expect(r.status, name).toBe(415);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect((await r.json()).code).toBe('unsupported_media_type');
    }
    const big = await upload(token, id, [{ name: 'big.txt', bytes: Buffer.alloc(1024 * 1024 + 1, 0x61) }]);
    expect(big.status).toBe(413);
    expect((await big.json()).code).toBe('payload_too_large');
    // session.ready says the limit (the widget refuses a bigger file before sending it): exactly that size is taken.
    const { v } = await visitorWithConversation();
    const max = (v.frames.find((f) => f.type === 'session.ready') as { uploadMaxBytes?: number }).uploadMaxBytes;
    expect(max).toBe(1024 * 1024);
    expect((await upload(token, id, [{ name: 'edge.txt', bytes: Buffer.alloc(max!, 0x61) }])).status).toBe(201);
    const lea = track(await agent(stack, 'lea@ajuda.local'));
    expect(lea.frames.find((f) => f.type === 'session.ready')).toMatchObject({ uploadMaxBytes: 1024 * 1024 });
    // Two files each under the cap but together over it: the request cap.
    const half = Buffer.alloc(600 * 1024, 0x62);
    const pair = await upload(token, id, [{ name: 'a.log', bytes: half }, { name: 'b.log', bytes: half }]);
    expect(pair.status).toBe(413);
    // A real PDF and a CSV are fine.
    const ok = await upload(token, id, [{ name: 'r.pdf', bytes: Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF') }, { name: 'd.csv', bytes: Buffer.from('a,b\n1,2\n') }]);
    expect(ok.status).toBe(201);
    expect((await ok.json()).attachments.map((a: { type: string }) => a.type)).toEqual(['application/pdf', 'text/csv; charset=utf-8']);
  });

  it('an upload no message took expires: its row and bytes go; one a message carries stays', async () => {
    const { v, token, id } = await visitorWithConversation();
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#e0a010' } }).png().toBuffer();
    const a = (await (await upload(token, id, [{ name: 'a.png', bytes: png }])).json()).attachments[0];
    const b = (await (await upload(token, id, [{ name: 'b.txt', bytes: Buffer.from('kept ' + idem()) }])).json()).attachments[0];
    await v.request({ type: 'message.send', conversationId: id, clientMsgId: 'keep', body: 'b', attachments: [b.id] }, 'message.ack');
    const svc = stack.app.ajuda.svc;
    const row = (await svc.store.attachments.get(a.id))!;
    now += 2 * 3600_000;
    await svc.attachments.sweep();
    expect(await svc.store.attachments.get(a.id)).toBeUndefined();
    expect(await svc.attachments.storage.get(row.blobKey)).toBeNull();
    expect((await get(`/api/attachments/${a.id}`, { token })).status).toBe(404);
    expect((await get(`/api/attachments/${b.id}`, { token })).status).toBe(200);
    // An expired upload can no longer be sent.
    const late = (await (await upload(token, id, [{ name: 'c.txt', bytes: Buffer.from('late') }])).json()).attachments[0];
    now += 2 * 3600_000;
    expect((await v.request({ type: 'message.send', conversationId: id, clientMsgId: 'late', body: 'c', attachments: [late.id] }, 'error')).code).toBe('not_found');
  });

  it('an agent attaches to a reply; the requester downloads it; a note’s file stays with agents', async () => {
    const { v, token, id } = await visitorWithConversation();
    const emma = track(await agent(stack, 'emma@ajuda.local'));
    const cookie = `ajuda_agent=${emma.token}`;
    await emma.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
    const r = (await (await upload(null, id, [{ name: 'steps.txt', bytes: Buffer.from('1. restart\n') }, { name: 'internal.txt', bytes: Buffer.from('secret') }], cookie)).json()).attachments;
    await emma.request({ type: 'message.send', conversationId: id, clientMsgId: 'reply', body: 'Try this', attachments: [r[0].id] }, 'message.ack');
    await emma.request({ type: 'message.send', conversationId: id, clientMsgId: 'note', body: 'for us', kind: 'note', attachments: [r[1].id] }, 'message.ack');
    const live = await v.wait('message.created', (f) => f.message.clientMsgId === 'reply');
    expect(live.message.attachments?.[0]).toMatchObject({ name: 'steps.txt', image: false });
    expect((await get(`/api/attachments/${r[0].id}`, { token })).status).toBe(200);
    expect((await get(`/api/attachments/${r[1].id}`, { token })).status).toBe(404);
    expect((await get(`/api/attachments/${r[1].id}`, { cookie })).status).toBe(200);
    // The requester cannot send the agent's upload as their own.
    expect((await v.request({ type: 'message.send', conversationId: id, clientMsgId: 'mine', body: 'x', attachments: [r[0].id] }, 'error')).code).toBe('not_found');
  });
});
