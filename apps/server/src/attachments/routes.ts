import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { z } from 'zod';
import { AjudaError, Id, MAX_ATTACHMENTS } from '@ajuda/protocol';
import type { AttachmentRow } from '@ajuda/db';
import type { Services } from '../context.ts';
import { sha256 } from '../crypto.ts';
import { AGENT_COOKIE } from '../http/routes.ts';
import { problem } from '../http/problem.ts';
import { realmUserOwnerKey, verifyIdentity, visitorOwnerKey } from '../identity.ts';
import type { AgentPrincipal, ConnPrincipal } from '../session/principal.ts';
import { attachmentView, readCapped } from './attachments.ts';

/**
 * Who is asking, on HTTP, with the credentials of their socket session (`session.hello`): an agent's
 * console session (the HttpOnly cookie, or `Authorization: Bearer as_…`), a visitor's token
 * (`Authorization: Bearer vt_…`) or a realm user's identity token (`Authorization: Bearer <JWT>`).
 * Null when none is valid (answered `auth_failed`, 401).
 */
export async function httpPrincipal(svc: Services, req: FastifyRequest): Promise<ConnPrincipal | null> {
  const h = req.headers.authorization;
  const bearer = h?.startsWith('Bearer ') ? h.slice(7).trim() : '';
  const agentToken = bearer.startsWith('as_') ? bearer : !bearer ? (req.cookies[AGENT_COOKIE] ?? '') : '';
  if (agentToken) {
    const s = await svc.store.findSession(sha256(agentToken));
    const agent = s && !s.endedAt && new Date(s.expiresAt) > svc.clock.now() ? await svc.store.getAgent(s.agentId) : undefined;
    if (!agent || agent.disabled || svc.access.disabledAgents.has(agent.id)) return null;
    const p: AgentPrincipal = { kind: 'agent', agentId: agent.id, name: agent.name, role: agent.role, languages: agent.languages as AgentPrincipal['languages'], teams: agent.teams, sessionHash: sha256(agentToken) };
    return p;
  }
  if (!bearer) return null;
  if (bearer.startsWith('vt_')) {
    const v = await svc.store.findVisitor(sha256(bearer));
    if (!v || v.forgottenAt) return null;
    return { kind: 'visitor', visitorId: v.id, ownerKey: visitorOwnerKey(v.id), channel: 'website', locale: null };
  }
  const r = await verifyIdentity(bearer, svc.config.identityKeys, svc.clock.now());
  if (!r.ok) return null;
  const c = r.claims;
  return {
    kind: 'realm_user', realmId: c.realm, userId: c.sub, perms: c.perms ?? [], name: c.name ?? null, email: c.email ?? null,
    ownerKey: realmUserOwnerKey(c.realm, c.sub), channel: 'platform', tokenLocale: c.locale ?? null, locale: null, expiresAt: new Date(c.exp * 1000),
  };
}

export const senderOf = (p: ConnPrincipal) => (p.kind === 'agent' ? `agent:${p.agentId}` : 'requester');

/**
 * R7, R7a: may `p` have this file? Whoever may read the message that carries it (a note's only agents);
 * before a message took it, only its uploader. Anything else is answered exactly like a missing id.
 */
async function visible(svc: Services, p: ConnPrincipal, a: AttachmentRow & { message: { kind: string } | null }) {
  const c = await svc.store.getConversation(a.conversationId);
  if (!c) return null;
  if (!a.message) return a.uploader === senderOf(p) && svc.access.mayAccess(p, c) ? c : null;
  if (a.message.kind === 'note' && p.kind !== 'agent') return null;
  return (await svc.access.mayRead(p, c)) ? c : null;
}

const Upload = z.object({ conversationId: Id });
const Params = z.object({ id: Id });

/** RFC 6266 / 5987: an ASCII fallback and the UTF-8 name. */
function disposition(kind: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * Every `file` part of a multipart request through the pipeline, for `uploader` in conversation
 * `conversationId` (whom the caller has checked may write there): the caps per file and per request
 * (413), the type decided from the bytes (415). Non-file parts are ignored.
 */
export async function ingestParts(svc: Services, req: FastifyRequest, conversationId: string, uploader: string): Promise<AttachmentRow[]> {
  const max = svc.config.uploads.maxBytes;
  const rows: AttachmentRow[] = [];
  let total = 0;
  for await (const part of req.parts()) {
    if (part.type !== 'file') continue;
    const bytes = await readCapped(part.file, max);
    total += bytes.length;
    if (total > max) throw new AjudaError('payload_too_large', `one request may carry at most ${max} bytes`);
    rows.push(await svc.attachments.ingest({ bytes, filename: part.filename || 'file', uploader, conversationId }));
  }
  return rows;
}

/**
 * A file (or its thumbnail) `p` may read, with its bytes; null — answered `not_found` — when it is
 * missing or not theirs to see (R7a: alike). A download of the file itself by `auditAs` (an agent,
 * an API token) is written to the audit log.
 */
export async function readableFile(svc: Services, p: ConnPrincipal, id: string, thumb: boolean, auditAs: string | null, via?: string) {
  const a = await svc.store.attachments.get(id);
  const c = a ? await visible(svc, p, a) : null;
  const key = a && (thumb ? a.thumbKey : a.blobKey);
  const bytes = a && c && key ? await svc.attachments.storage.get(key) : null;
  if (!a || !c || !bytes) return null;
  if (auditAs && !thumb)
    await svc.store.audit({ actor: auditAs, action: 'attachment.downloaded', conversationId: c.id, realmId: c.realmId, detail: { attachmentId: a.id, name: a.filename, ...(via ? { via } : {}) }, at: svc.clock.iso() });
  return { a, bytes };
}

/** @fastify/multipart in `scope`, with the upload caps: files per request, bytes per file, few small fields. */
export async function registerMultipart(scope: FastifyInstance, svc: Services): Promise<void> {
  await scope.register(multipart, {
    limits: { fileSize: svc.config.uploads.maxBytes, files: MAX_ATTACHMENTS, fields: 5, fieldSize: 1024, parts: MAX_ATTACHMENTS + 5, headerPairs: 100 },
  });
}

/**
 * A file (or an image's thumbnail) as a response no browser will run: the server-decided type,
 * `nosniff`, a sandboxing CSP, `attachment` except for re-encoded images, never cached by others.
 */
export function sendFile(reply: FastifyReply, a: AttachmentRow, bytes: Buffer, thumb: boolean) {
  const image = a.thumbKey !== null;
  return reply
    .header('Content-Type', thumb ? 'image/webp' : a.contentType)
    .header('Content-Length', bytes.length)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Content-Security-Policy', 'sandbox')
    .header('Content-Disposition', disposition(image ? 'inline' : 'attachment', thumb ? `thumb-${a.filename}.webp` : a.filename))
    .header('Cache-Control', 'private, no-cache')
    .header('Cross-Origin-Resource-Policy', 'same-origin')
    .header('Referrer-Policy', 'no-referrer')
    .send(bytes);
}

/**
 * Attachments over HTTP:
 * - `POST /api/attachments?conversationId=…` (multipart/form-data, one or more `file` parts): 201
 *   `{ attachments: [AttachmentView & { expiresAt }] }`. Caps per file and per request (AJUDA_UPLOAD_MAX_MB),
 *   per conversation; 413 `payload_too_large`, 415 `unsupported_media_type`, 404 for a conversation the
 *   uploader may not write in. Rate-limited per client address (AJUDA_UPLOADS_PER_MINUTE).
 * - `GET /api/attachments/:id` (the file) and `/api/attachments/:id/thumb` (an image's thumbnail): the
 *   server-decided type, `nosniff`, `Content-Security-Policy: sandbox`, `attachment` except for re-encoded
 *   images; 404 alike for a missing id and one the asker may not see. Every agent download is audited.
 */
export async function attachmentRoutes(app: FastifyInstance, svc: Services): Promise<void> {
  const caps = svc.config.uploads;
  await app.register(async (scope) => {
    await registerMultipart(scope, svc);

    scope.post('/api/attachments', { config: { rateLimit: { max: caps.perMinute, timeWindow: 60_000 } } }, async (req, reply) => {
      const p = await httpPrincipal(svc, req);
      if (!p) return problem(reply, 'auth_failed');
      const q = Upload.safeParse(req.query);
      if (!q.success) return problem(reply, 'bad_request', 'conversationId is required');
      if (!req.isMultipart()) return problem(reply, 'unsupported_media_type', 'send the files as multipart/form-data');
      const c = await svc.store.getConversation(q.data.conversationId);
      // R7a: a conversation that is not theirs is answered like one that does not exist.
      if (!c || !svc.access.mayAccess(p, c)) return problem(reply, 'not_found');
      if (c.status === 'closed' || (p.kind !== 'agent' && c.status === 'resolved')) return problem(reply, 'conversation_closed');
      const rows = await ingestParts(svc, req, c.id, senderOf(p));
      if (!rows.length) return problem(reply, 'bad_request', 'no file part');
      return reply.code(201).send({ attachments: rows.map((r) => ({ ...attachmentView(r), expiresAt: r.expiresAt })) });
    });

    const download = (thumb: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
      const p = await httpPrincipal(svc, req);
      if (!p) return problem(reply, 'auth_failed');
      const id = Params.safeParse(req.params);
      const file = id.success ? await readableFile(svc, p, id.data.id, thumb, p.kind === 'agent' ? `agent:${p.agentId}` : null) : null;
      return file ? sendFile(reply, file.a, file.bytes, thumb) : problem(reply, 'not_found');
    };
    scope.get('/api/attachments/:id', download(false));
    scope.get('/api/attachments/:id/thumb', download(true));
  });
}
