import { activeGrant, agentMayWrite, canGrant, isSmallAdjustment, type GrantRecord } from '@ajuda/policy';
import { AjudaError, GrantList, RealmDirectory, RealmSnapshot, type ClientFrame, type FrameOf, type GrantView, type ServerFrame } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { shortId } from '../../crypto.ts';
import type { AgentPrincipal, RealmUserPrincipal } from '../../session/principal.ts';
import type { HandlerIo, ReplyPort } from '../../session/port.ts';
import { AGENTS, REALM_USERS, on, type HandlerEntry } from '../../session/handler.ts';
import { grantView, pipelineView, projectView } from '../../projections.ts';
import type { AuditRow, GrantRow } from '@ajuda/db';
import { loadFor, publishAll, requesterPolicy } from '../conversations/handlers.ts';
import { guarded } from '../guard.ts';
import { systemLine } from '../routing/routing.ts';

type F<T extends ClientFrame['type']> = FrameOf<ClientFrame, T>;

/**
 * The realm directory is the server's only door to realm data (R7). A requester's pickers
 * list their own realm only; a visitor gets nothing — the same `forbidden` whatever they ask.
 */
export async function directory(svc: Services, io: HandlerIo, p: RealmUserPrincipal, f: F<'realm.directory.get'>): Promise<void> {
  const [pipelines, projects] = await Promise.all([svc.directory.pipelines(p.realmId), svc.directory.projects(p.realmId)]);
  io.reply(RealmDirectory, {
    type: 'realm.directory',
    ref: f.ref,
    pipelines: pipelines.map(pipelineView),
    projects: projects.map(projectView),
  });
}

/** R7b, R12a: agents see the realm of the conversation they handle, read-only by default. */
export async function view(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'realm.view'>): Promise<void> {
  const c = await loadFor(svc, p, f.conversationId);
  if (!c.realmId) throw new AjudaError('not_found');
  io.reply(RealmSnapshot, await realmSnapshot(svc, c.id, c.realmId, f.ref));
}

/** The realm as an agent sees it beside one conversation (R12a), with the live grant. */
export async function realmSnapshot(svc: Services, conversationId: string, realmId: string, ref?: string): Promise<FrameOf<ServerFrame, 'realm.snapshot'>> {
  return svc.views.realmSnapshot(conversationId, realmId, ref);
}

/** R12b–R12d: a change in the realm needs the customer's live grant, and only small adjustments. */
export async function adjust(svc: Services, io: HandlerIo, p: AgentPrincipal, f: F<'realm.adjust'>): Promise<void> {
  const c = await loadFor(svc, p, f.conversationId);
  if (!c.realmId) throw new AjudaError('not_found');
  const realmId = c.realmId;
  if (!isSmallAdjustment(f.action)) throw new AjudaError('forbidden', 'complex changes go to the project team (R12d)');
  const records = (gs: GrantRow[]): GrantRecord[] => gs.map((g) => ({ id: g.id, realmId: g.realmId, level: g.level, expiresAt: new Date(g.expiresAt), revokedAt: g.revokedAt ? new Date(g.revokedAt) : null }));
  const at = svc.clock.iso();
  const { messages: out, pipeline } = await guarded(
    svc.store.adjustPipeline(
      c.id,
      realmId,
      f.pipelineId,
      // Checked on the grants read inside the command: a revocation committed before it wins (R12c).
      (grants) => agentMayWrite(records(grants), realmId, svc.clock.now()),
      (pipe, grants) => ({
        status: f.action === 'pause' ? 'paused' : 'running',
        effects: {
          at,
          audit: [{ actor: `agent:${p.agentId}`, action: 'grant.used', detail: { action: f.action, pipelineId: pipe.id, pipelineName: pipe.name, agentName: p.name, grant: activeGrant(records(grants), realmId, svc.clock.now())?.id } }],
          // R12c: every use is recorded where the customer sees it — a line in their conversation.
          system: [systemLine(svc, c, 'system.grant_used', { agent: p.name, grantAction: f.action, pipeline: pipe.name })],
        },
      }),
    ),
  );
  publishAll(svc, out);
  // Before the snapshot below: it reads the pipelines through the directory, which listens.
  await svc.events.emit('pipeline.changed', { realmId, pipeline });
  io.reply(RealmSnapshot, await realmSnapshot(svc, c.id, realmId, f.ref));
}

/** R12c: a grant with every recorded use of it (who did what to which pipeline, when), for the customer's grant screen. */
function grantWithUses(g: GrantRow, used: AuditRow[]): GrantView {
  const uses = [];
  for (const a of used) {
    const d = a.detail as { grant?: string; action?: string; pipelineId?: string; pipelineName?: string; agentName?: string };
    if (d.grant !== g.id) continue;
    uses.push({ at: a.at, action: d.action ?? '', target: d.pipelineName ?? d.pipelineId ?? '', by: d.agentName ?? '' });
  }
  return { ...grantView(g), uses };
}

async function grantList(svc: Services, realmId: string): Promise<GrantView[]> {
  const [audit, grants] = await Promise.all([svc.store.auditOfRealm(realmId), svc.store.grants(realmId)]);
  const used = audit.filter((a) => a.action === 'grant.used');
  return grants.map((g) => grantWithUses(g, used));
}

export async function listGrants(svc: Services, io: HandlerIo, p: RealmUserPrincipal, f: F<'grant.list.get'>): Promise<void> {
  io.reply(GrantList, { type: 'grant.list', ref: f.ref, grants: await grantList(svc, p.realmId) });
}

/** R12b/R12c: only a realm user holding the grant permission grants; scoped, time-bounded, audited. */
export async function createGrant(svc: Services, io: HandlerIo, p: RealmUserPrincipal, f: F<'grant.create'>): Promise<void> {
  if (!canGrant(requesterPolicy(p))) throw new AjudaError('forbidden');
  const at = svc.clock.now();
  const g = { id: shortId('gr'), realmId: p.realmId, level: f.level, grantedBy: p.userId, createdAt: at.toISOString(), expiresAt: new Date(at.getTime() + f.minutes * 60_000).toISOString() };
  await svc.store.grant(g, { actor: `user:${p.realmId}:${p.userId}`, action: 'grant.created', detail: { grantId: g.id, level: g.level, expiresAt: g.expiresAt } });
  await grantsChanged(svc, p.realmId, f.ref, io);
}

export async function revokeGrant(svc: Services, io: HandlerIo, p: RealmUserPrincipal, f: F<'grant.revoke'>): Promise<void> {
  if (!canGrant(requesterPolicy(p))) throw new AjudaError('forbidden');
  const ok = await svc.store.revokeGrant(p.realmId, f.grantId, svc.clock.iso(), { actor: `user:${p.realmId}:${p.userId}`, action: 'grant.revoked', detail: { grantId: f.grantId } });
  if (!ok) throw new AjudaError('not_found');
  await grantsChanged(svc, p.realmId, f.ref, io);
}

/** Tell the granting user's sockets and every agent viewing this realm; effective from the next frame. */
async function grantsChanged(svc: Services, realmId: string, ref: string | undefined, origin: ReplyPort): Promise<void> {
  const grants = await grantList(svc, realmId);
  origin.reply(GrantList, { type: 'grant.list', ref, grants });
  await svc.events.emit('grants.changed', { realmId });
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
