import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENERAL, idem, requester, type TestClient } from '../client.ts';
import { apiStack, type ApiStack } from './helpers.ts';

/**
 * Files on /api/v1: an integration uploads evidence and replies with it; messages list what they
 * carry with a download URL; downloads re-check R7 (the same 404 as a missing id), carry the
 * product's download headers and are audited under the token; bad uploads are typed problems.
 */
let s: ApiStack;
let system: string;
let readOnly: string;
let emma: string;
let pedro: string;
const open: TestClient[] = [];
beforeAll(async () => {
  s = await apiStack({ AJUDA_API_REQUESTS_PER_MINUTE: '100000', AJUDA_UPLOADS_PER_MINUTE: '1000', AJUDA_STARTS_PER_MINUTE: '600' });
  system = await s.token(['conversations:read', 'conversations:write'], null, { name: 'Evidence bot' });
  readOnly = await s.token(['conversations:read'], null);
  emma = await s.token(['conversations:read', 'conversations:write'], 'ag_emma');
  pedro = await s.token(['conversations:read', 'conversations:write'], 'ag_pedro');
});
afterAll(async () => {
  for (const c of open) c.close();
  await s?.close();
});

/** A visitor's conversation in the support queue, their socket and token. */
async function visitorConversation() {
  const v = await requester(s);
  open.push(v);
  const token = (v.frames.find((f) => f.type === 'session.ready') as { visitorToken: string }).visitorToken;
  const f = await v.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started');
  return { v, token, id: f.conversation.id };
}

/** A multipart upload over real HTTP (the API's token, or a widget's visitor token on /api/attachments). */
function upload(path: string, token: string, files: Array<{ name: string; bytes: Buffer }>) {
  const form = new FormData();
  for (const f of files) form.append('file', new Blob([new Uint8Array(f.bytes)]), f.name);
  return fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
}
const get = (path: string, token: string) => fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
const log = Buffer.from('2026-12-06T10:00:00Z ERROR deploy failed: exit 137\n');

type Att = { id: string; name: string; type: string; size: number; image: boolean; thumb: boolean; url: string; expiresAt?: string };

describe('/api/v1 attachments', () => {
  it('a system token uploads a log and a screenshot, replies with them; the requester receives and downloads them; the API lists them with their URLs', async () => {
    const { v, token, id } = await visitorConversation();
    const png = await sharp({ create: { width: 32, height: 20, channels: 3, background: '#228844' } }).png().toBuffer();
    const up = await upload(`/api/v1/conversations/${id}/attachments`, system, [
      { name: 'deploy.log', bytes: log },
      { name: 'console.png', bytes: png },
    ]);
    expect(up.status).toBe(201);
    const files = ((await up.json()) as { attachments: Att[] }).attachments;
    expect(files).toEqual([
      expect.objectContaining({ name: 'deploy.log', type: 'text/plain; charset=utf-8', size: log.length, image: false, thumb: false, url: `/api/v1/attachments/${files[0]!.id}`, expiresAt: expect.any(String) }),
      expect.objectContaining({ name: 'console.png', type: 'image/png', image: true, thumb: true, width: 32, height: 20 }),
    ]);

    const reply = await s.call('POST', `/api/v1/conversations/${id}/messages`, system, { body: 'The log and a screenshot of the fix', attachments: files.map((f) => f.id), clientMsgId: 'with-files' });
    expect(reply.statusCode).toBe(201);
    const message = reply.json<{ message: { seq: number; attachments: Att[] } }>().message;
    expect(message.attachments.map((a) => a.name)).toEqual(['deploy.log', 'console.png']);
    expect(message.attachments[0]).not.toHaveProperty('expiresAt');

    // Live to the requester, who may download both (their conversation's message carries them).
    const live = await v.wait('message.created', (f) => f.message.seq === message.seq);
    expect(live.message.attachments?.map((a) => a.id)).toEqual(files.map((f) => f.id));
    const mine = await get(`/api/attachments/${files[0]!.id}`, token);
    expect(mine.status).toBe(200);
    expect(Buffer.from(await mine.arrayBuffer()).equals(log)).toBe(true);

    // The requester's own file, sent from the widget, appears on the API with its URL.
    const theirs = await upload(`/api/attachments?conversationId=${id}`, token, [{ name: 'error.txt', bytes: Buffer.from('Error 500 at checkout\n') }]);
    const [t] = ((await theirs.json()) as { attachments: Att[] }).attachments;
    await v.request({ type: 'message.send', conversationId: id, clientMsgId: idem(), body: '', attachments: [t!.id] }, 'message.ack');
    const listed = (await s.call('GET', `/api/v1/conversations/${id}/messages`, readOnly)).json<{ messages: Array<{ sender: { role: string }; body: string; attachments?: Att[] }> }>().messages;
    const fromRequester = listed.find((m) => m.sender.role === 'requester' && m.attachments);
    expect(fromRequester).toMatchObject({ body: '', attachments: [expect.objectContaining({ id: t!.id, name: 'error.txt', type: 'text/plain; charset=utf-8', url: `/api/v1/attachments/${t!.id}` })] });
  });

  it('downloads: the product’s headers, audited under the token; a thumbnail; another queue’s agent, a note’s file seen by no requester, a missing id — all the same 404', async () => {
    const { token, id } = await visitorConversation();
    const [f] = ((await (await upload(`/api/v1/conversations/${id}/attachments`, emma, [{ name: 'trace.json', bytes: Buffer.from('{"trace":[1,2,3]}') }])).json()) as { attachments: Att[] }).attachments;
    // Emma (support) writes an internal note carrying it: agents only.
    expect((await s.call('POST', `/api/v1/conversations/${id}/notes`, emma, { body: '', attachments: [f!.id] })).statusCode).toBe(201);

    const r = await get(f!.url, readOnly);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toBe('sandbox');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="trace.json"/);
    expect(await r.text()).toBe('{"trace":[1,2,3]}');
    const audit = await s.app.ajuda.svc.store.auditOf(id);
    expect(audit.filter((a) => a.action === 'attachment.downloaded').map((a) => a.actor)).toEqual([expect.stringMatching(/^api:tok_/)]);

    const png = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#000' } }).png().toBuffer();
    const [img] = ((await (await upload(`/api/v1/conversations/${id}/attachments`, emma, [{ name: 'x.png', bytes: png }])).json()) as { attachments: Att[] }).attachments;
    // Before a message takes it, only its uploader has it.
    expect((await get(`${img!.url}/thumb`, emma)).status).toBe(200);
    expect((await get(img!.url, readOnly)).status).toBe(404);

    const missing = await get('/api/v1/attachments/att_does_not_exist', readOnly);
    const other = await get(f!.url, pedro); // the project team's agent: not this support conversation
    const requesterOfNote = await get(`/api/attachments/${f!.id}`, token);
    for (const res of [missing, other, requesterOfNote]) {
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'not_found' });
    }
  });

  it('bad uploads are typed problems and nothing is taken: an SVG (415), JSON instead of multipart (415), no file (400), a read-only token (403), another agent’s upload, an empty reply (400)', async () => {
    const { id } = await visitorConversation();
    const svg = await upload(`/api/v1/conversations/${id}/attachments`, system, [{ name: 'logo.svg', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>') }]);
    expect(svg.status).toBe(415);
    expect(await svg.json()).toMatchObject({ code: 'unsupported_media_type' });
    const asJson = await s.call('POST', `/api/v1/conversations/${id}/attachments`, system, { file: 'x' });
    expect(asJson.statusCode).toBe(415);
    const none = await fetch(`${s.url}/api/v1/conversations/${id}/attachments`, { method: 'POST', headers: { authorization: `Bearer ${system}` }, body: (() => { const f = new FormData(); f.append('note', 'no file'); return f; })() });
    expect(none.status).toBe(400);
    expect((await upload(`/api/v1/conversations/${id}/attachments`, readOnly, [{ name: 'a.txt', bytes: log }])).status).toBe(403);

    const [f] = ((await (await upload(`/api/v1/conversations/${id}/attachments`, system, [{ name: 'a.log', bytes: log }])).json()) as { attachments: Att[] }).attachments;
    const stolen = await s.call('POST', `/api/v1/conversations/${id}/messages`, emma, { body: 'mine now', attachments: [f!.id] });
    expect(stolen.statusCode).toBe(404);
    const empty = await s.call('POST', `/api/v1/conversations/${id}/messages`, system, { body: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json()).toMatchObject({ code: 'bad_request', detail: expect.stringMatching(/body/) });
    // The upload is still there for its owner's reply.
    expect((await s.call('POST', `/api/v1/conversations/${id}/messages`, system, { body: '', attachments: [f!.id] })).statusCode).toBe(201);
  });
});
