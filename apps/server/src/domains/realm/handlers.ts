import { agentMayWrite, canGrant, isSmallAdjustment } from '@ajuda/policy';
import { AjudaError, GrantList, RealmDirectory, RealmSnapshot, type ClientFrame, type FrameOf, type GrantView, type ServerFrame } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { shortId } from '../../crypto.ts';
import type { AgentPrincipal, RealmUserPrincipal } from '../../session/principal.ts';
import type { HandlerIo, ReplyPort } from '../../session/port.ts';
import { AGENTS, REALM_USERS, on, type HandlerEntry } from '../../session/handler.ts';
import { grantView, pipelineView, projectView } from '../../projections.ts';
import type { AuditRow, GrantRow, MessageRow } from '@ajuda/db';
import { loadFor, publishAll, requesterPolicy } from '../conversations/handlers.ts';
import { systemMessage } from '../routing/routing.ts';
import { currentGrant, grantRecords } from '../agents/handlers.ts';

type F<T extends ClientFrame['type']> = FrameOf<ClientFrame, T>;

/**
 * The realm directory is the server's only door to realm data (R7). A requester's pickers
 * list their own realm only; a visitor gets nothing — the same `forbidden` whatever they ask.
 */
export function directory(svc: Services, io: HandlerIo, p: RealmUserPrincipal, f: F<'realm.directory.get'>): void {
  io.reply(RealmDirectory, {
    type: 'realm.directory',
    ref: f.ref,
    pipelines: svc.directory.pipelines(p.realmId).map(pipelineView),
    projects: svc.directory.projects(p.realmId).map(projectView),
  });
}

/** R7b, R12a: agents see the realm of the conversation they handle, read-only by default. */
export function view(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'realm.view'>): void {
  const c = loadFor(svc, p, f.conversationId);
  if (!c.realmId) throw new AjudaError('not_found');
  io.reply(RealmSnapshot, realmSnapshot(svc, c.id, c.realmId, f.ref));
}

/** The realm as an agent sees it beside one conversation (R12a), with the live grant. */
export function realmSnapshot(svc: Services, conversationId: string, realmId: string, ref?: string): FrameOf<ServerFrame, 'realm.snapshot'> {
  return {
    type: 'realm.snapshot',
    ref,
    conversationId,
    realmId,
    pipelines: svc.directory.pipelines(realmId).map(pipelineView),
    projects: svc.directory.projects(realmId).map(projectView),
    grant: currentGrant(svc, realmId),
  };
}

/** R12b–R12d: a change in the realm needs the customer's live grant, and only small adjustments. */
export async function adjust(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'realm.adjust'>): Promise<void> {
  const c = loadFor(svc, p, f.conversationId);
  if (!c.realmId) throw new AjudaError('not_found');
  const realmId = c.realmId;
  if (!isSmallAdjustment(f.action)) throw new AjudaError('forbidden', 'complex changes go to the project team (R12d)');
  const out: MessageRow[] = [];
  await svc.writer.write(() => {
    // Checked inside the write: a revocation committed before this batch wins (R12c).
    if (!agentMayWrite(grantRecords(svc, realmId), realmId, svc.now())) throw new AjudaError('grant_required');
    const pipe = svc.directory.pipeline(realmId, f.pipelineId);
    if (!pipe) throw new AjudaError('not_found');
    const status = f.action === 'pause' ? 'paused' : 'running';
    const at = svc.iso();
    svc.directory.setPipelineStatus(realmId, pipe.id, status);
    svc.repo.audit(`agent:${p.agentId}`, 'grant.used', c.id, realmId, { action: f.action, pipelineId: pipe.id, pipelineName: pipe.name, agentName: p.name, grant: currentGrant(svc, realmId)?.id }, at);
    // R12c: every use is recorded where the customer sees it — a line in their conversation.
    out.push(systemMessage(svc, c, 'system.grant_used', { agent: p.name, grantAction: f.action, pipeline: pipe.name }, at));
  });
  publishAll(svc, out);
  io.reply(RealmSnapshot, realmSnapshot(svc, c.id, realmId, f.ref));
}

/** R12c: a grant with every recorded use of it (who did what to which pipeline, when), for the customer's grant screen. */
function grantWithUses(g: GrantRow, used: AuditRow[]): GrantView {
  const uses = [];
  for (const a of used) {
    const d = JSON.parse(a.detail) as { grant?: string; action?: string; pipelineId?: string; pipelineName?: string; agentName?: string };
    if (d.grant !== g.id) continue;
    uses.push({ at: a.at, action: d.action ?? '', target: d.pipelineName ?? d.pipelineId ?? '', by: d.agentName ?? '' });
  }
  return { ...grantView(g), uses };
}

function grantList(svc: Services, realmId: string): GrantView[] {
  const used = svc.repo.auditOfRealm(realmId).filter((a) => a.action === 'grant.used');
  return svc.repo.grants(realmId).map((g) => grantWithUses(g, used));
}

export function listGrants(svc: Services, io: HandlerIo, p: RealmUserPrincipal, f: F<'grant.list.get'>): void {
  io.reply(GrantList, { type: 'grant.list', ref: f.ref, grants: grantList(svc, p.realmId) });
}

/** R12b/R12c: only a realm user holding the grant permission grants; scoped, time-bounded, audited. */
export async function createGrant(svc: Services, io: HandlerIo, p: RealmUserPrincipal, f: F<'grant.create'>): Promise<void> {
  if (!canGrant(requesterPolicy(p))) throw new AjudaError('forbidden');
  await svc.writer.write(() => {
    const at = svc.now();
    const g = { id: shortId('gr'), realmId: p.realmId, level: f.level, grantedBy: p.userId, createdAt: at.toISOString(), expiresAt: new Date(at.getTime() + f.minutes * 60_000).toISOString() };
    svc.repo.addGrant(g);
    svc.repo.audit(`user:${p.realmId}:${p.userId}`, 'grant.created', null, p.realmId, { grantId: g.id, level: g.level, expiresAt: g.expiresAt }, g.createdAt);
  });
  grantsChanged(svc, p.realmId, f.ref, io);
}

export async function revokeGrant(svc: Services, io: HandlerIo, p: RealmUserPrincipal, f: F<'grant.revoke'>): Promise<void> {
  if (!canGrant(requesterPolicy(p))) throw new AjudaError('forbidden');
  const ok = await svc.writer.write(() => {
    const at = svc.iso();
    const done = svc.repo.revokeGrant(p.realmId, f.grantId, at);
    if (done) svc.repo.audit(`user:${p.realmId}:${p.userId}`, 'grant.revoked', null, p.realmId, { grantId: f.grantId }, at);
    return done;
  });
  if (!ok) throw new AjudaError('not_found');
  grantsChanged(svc, p.realmId, f.ref, io);
}

/** Tell the granting user's sockets and every agent viewing this realm; effective from the next frame. */
function grantsChanged(svc: Services, realmId: string, ref: string | undefined, origin: ReplyPort): void {
  const grants = grantList(svc, realmId);
  origin.reply(GrantList, { type: 'grant.list', ref, grants });
  for (const conn of svc.hub.members('agents')) {
    for (const id of conn.opened) {
      const c = svc.repo.getConversation(id);
      if (c?.realmId === realmId) conn.sendRaw(JSON.stringify(RealmSnapshot.parse(realmSnapshot(svc, id, realmId))));
    }
  }
}

/**
 * The realm frames. R7: only a realm user sees their realm's directory and grants (a visitor is
 * refused with `forbidden` by the table); agents see a realm beside a conversation they handle.
 */
export const realmHandlers: readonly HandlerEntry[] = [
  on('realm.directory.get', REALM_USERS, directory),
  on('grant.list.get', REALM_USERS, listGrants),
  on('grant.create', REALM_USERS, createGrant),
  on('grant.revoke', REALM_USERS, revokeGrant),
  on('realm.view', AGENTS, view),
  on('realm.adjust', AGENTS, adjust),
];
