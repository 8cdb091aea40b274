import type { FastifyBaseLogger } from 'fastify';
import type { ConversationRow, Db, GroupWriter, Repo } from '@ajuda/db';
import { translator, type Catalog, type Locale, type Translate } from '@ajuda/i18n';
import en from '@ajuda/i18n/server/en';
import es from '@ajuda/i18n/server/es';
import pt from '@ajuda/i18n/server/pt';
import { slaState, mayAccessConversation, type Principal, type SlaState } from '@ajuda/policy';
import {
  AjudaError,
  AgentConversationRemoved,
  AgentConversationUpdated,
  ConversationUpdated,
  MessageCreated,
  type SlaView,
} from '@ajuda/protocol';
import type { Config } from './config.ts';
import { SqliteRealmDirectory, type RealmDirectory } from './domains/realm/directory.ts';
import type { AgentPrincipal, ConnPrincipal } from './session/principal.ts';
import type { ReplyPort, SessionState } from './session/port.ts';
import type { MemoryHub } from './hub.ts';
import { agentConversationView, lastMessagePreview, messageView, requesterConversationView, type LastMessage } from './projections.ts';
import type { MessageRow } from '@ajuda/db';

const CATALOGS: Record<Locale, Catalog> = { pt, en, es };

/** Everything a domain handler needs, built once in buildApp. */
export class Services {
  readonly t: Record<Locale, Translate> = {
    pt: translator(CATALOGS.pt, 'pt'),
    en: translator(CATALOGS.en, 'en'),
    es: translator(CATALOGS.es, 'es'),
  };
  /** Conversations whose inbox rows changed; flushed to agents every 250 ms (coalesced). */
  private readonly dirty = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly config: Config,
    readonly db: Db,
    readonly repo: Repo,
    readonly writer: GroupWriter,
    readonly hub: MemoryHub<SessionState>,
    readonly log: FastifyBaseLogger,
    readonly now: () => Date = () => new Date(),
    /** The only door to realm data (R7); SQLite-backed unless a deployment plugs in its own. */
    readonly directory: RealmDirectory = new SqliteRealmDirectory(repo),
  ) {}

  /** Now as an ISO string; formatted once per millisecond (every message is stamped with it). */
  iso(): string {
    const d = this.now();
    const ms = d.getTime();
    if (ms !== this.isoMs) {
      this.isoMs = ms;
      this.isoText = d.toISOString();
    }
    return this.isoText;
  }
  private isoMs = NaN;
  private isoText = '';

  // ── views ──
  sla(c: ConversationRow): SlaState | null {
    if (!c.priority || !c.queuedAt) return null;
    const d = (s: string | null) => (s ? new Date(s) : null);
    return slaState(
      {
        priority: c.priority,
        queuedAt: new Date(c.queuedAt),
        firstAgentReplyAt: d(c.firstAgentReplyAt),
        lastRequesterMsgAt: d(c.lastRequesterMsgAt),
        lastAgentReplyAt: d(c.lastAgentReplyAt),
        resolvedAt: d(c.resolvedAt),
      },
      this.now(),
      this.config.sla,
    );
  }

  slaView(c: ConversationRow): SlaView {
    const s = this.sla(c);
    const recorded = JSON.parse(c.breaches) as SlaView['breached'];
    if (!s) return { firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null, breached: recorded };
    const iso = (x: Date | null) => (x ? x.toISOString() : null);
    return {
      firstResponseDueAt: iso(s.firstResponseDueAt),
      nextResponseDueAt: iso(s.nextResponseDueAt),
      resolutionDueAt: iso(s.resolutionDueAt),
      breached: [...new Set([...recorded, ...s.breached])],
    };
  }

  requesterView(c: ConversationRow) {
    const s = this.sla(c);
    const assignee = c.assigneeId ? this.repo.getAgent(c.assigneeId) : undefined;
    return requesterConversationView(c, {
      firstResponseDueAt: s?.firstResponseDueAt && !c.firstAgentReplyAt ? s.firstResponseDueAt.toISOString() : null,
      assigneeName: assignee?.name ?? null,
    });
  }

  agentView(c: ConversationRow) {
    const a = c.assigneeId ? this.repo.getAgent(c.assigneeId) : undefined;
    return agentConversationView(c, {
      sla: this.slaView(c),
      assignee: a ? { id: a.id, name: a.name } : null,
      routing: this.repo.routing(c.id),
      lastMessage: this.lastMessage(c),
    });
  }

  /** The inbox preview, recomputed only when the conversation's last seq moved (rows are sent often). */
  private lastMessage(c: ConversationRow): LastMessage {
    const hit = this.previews.get(c.id);
    if (hit && hit.seq === c.lastSeq) return hit.preview;
    // Notes and system lines are skipped: the preview is what the requester and the agents said.
    const recent = this.repo.messagesAfter(c.id, Math.max(0, c.lastSeq - 20), 20, false);
    let preview: LastMessage = null;
    for (let i = recent.length - 1; i >= 0; i--) {
      const m = recent[i]!;
      if (m.kind !== 'text') continue;
      preview = lastMessagePreview(m);
      break;
    }
    if (this.previews.size > 10_000) this.previews.clear();
    this.previews.set(c.id, { seq: c.lastSeq, preview });
    return preview;
  }
  private readonly previews = new Map<string, { seq: number; preview: LastMessage }>();

  // ── access (R7, R7a) ──
  policyPrincipal(p: ConnPrincipal): Principal {
    switch (p.kind) {
      case 'visitor':
        return { kind: 'visitor', visitorId: p.visitorId };
      case 'realm_user':
        return { kind: 'realm_user', realmId: p.realmId, userId: p.userId, perms: p.perms };
      case 'agent':
        // A disabled agent's sockets are closed when they are disabled, and hello refuses them.
        return { kind: 'agent', agentId: p.agentId, role: p.role, teams: p.teams, disabled: this.disabledAgents.has(p.agentId) };
    }
  }

  /**
   * R7b, R13: an agent who handled a conversation keeps read-only access after it was escalated or
   * transferred away (they may follow it; they can no longer write, assign or see the realm).
   */
  mayRead(p: ConnPrincipal, c: ConversationRow): boolean {
    if (this.mayAccess(p, c)) return true;
    if (p.kind !== 'agent' || this.disabledAgents.has(p.agentId)) return false;
    return this.repo.routing(c.id).some((r) => r.assigneeId === p.agentId);
  }

  /** The conversation if `p` may at least read it (R7a: otherwise "not found", like a missing one). */
  loadReadable(p: ConnPrincipal, id: string): ConversationRow {
    const c = this.repo.getConversation(id);
    if (!c || !this.mayRead(p, c)) throw new AjudaError('not_found');
    return c;
  }

  /** Agents disabled while this process runs (their sessions are also ended in the database). */
  readonly disabledAgents = new Set<string>();

  mayAccess(p: ConnPrincipal, c: ConversationRow): boolean {
    return mayAccessConversation(this.policyPrincipal(p), {
      requesterVisitorId: c.visitorId,
      requesterUserId: c.userId,
      realmId: c.realmId,
      queue: c.queue,
      team: c.team,
      assigneeId: c.assigneeId,
    });
  }

  // ── publishing ──
  /** A new message: to the requester's sockets (never notes) and to agents who opened it. */
  publishMessage(m: MessageRow, except?: SessionState): void {
    const json = JSON.stringify(MessageCreated.parse({ type: 'message.created', message: messageView(m) }));
    if (m.kind !== 'note') this.hub.publish(`owner:${this.ownerOf(m.conversationId)}`, json, except);
    this.hub.publish(`conv:${m.conversationId}`, json, except);
    this.markDirty(m.conversationId, 'activity');
  }

  /** The requester topic of a conversation (the repository caches conversation rows). */
  ownerOf(conversationId: string): string {
    return this.repo.getConversation(conversationId)?.ownerKey ?? '';
  }

  /** A conversation's state changed: tell its requester now, agents' inboxes on the next flush. */
  conversationChanged(id: string): void {
    const c = this.repo.getConversation(id);
    if (!c) return;
    this.hub.publish(`owner:${c.ownerKey}`, JSON.stringify(ConversationUpdated.parse({ type: 'conversation.updated', conversation: this.requesterView(c) })));
    this.markDirty(id);
  }

  /**
   * Queue an inbox update. `state` (status, priority, queue, assignee…) goes to every agent who
   * may see the conversation; `activity` (new messages, reads) only to its assignee and the
   * sockets that opened it — and to everyone while it waits unassigned — so a busy desk does not
   * pay agents × conversations frames for every message.
   */
  /** Reply to an agent's command with the conversation as it now is, carrying the command's ref. */
  ackAgent(to: ReplyPort, ref: string | undefined, id: string): void {
    const c = this.repo.getConversation(id);
    if (c) to.reply(AgentConversationUpdated, { type: 'agent.conversation.updated', ref, conversation: this.agentView(c) });
  }

  markDirty(id: string, kind: 'state' | 'activity' = 'state'): void {
    if (kind === 'state') this.dirty.add(id);
    else if (!this.dirty.has(id)) this.dirtyActivity.add(id);
    if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flushInbox(), 250);
  }
  private readonly dirtyActivity = new Set<string>();

  /** Send inbox rows to every agent socket that may see them; removals to those that no longer may. */
  flushInbox(): void {
    this.flushTimer = null;
    const ids: Array<[string, boolean]> = [...this.dirty].map((id): [string, boolean] => [id, true]);
    for (const id of this.dirtyActivity) if (!this.dirty.has(id)) ids.push([id, false]);
    this.dirty.clear();
    this.dirtyActivity.clear();
    const agents = [...this.hub.members('agents')];
    if (!agents.length) return;
    for (const [id, state] of ids) {
      const c = this.repo.getConversation(id);
      let json: string | null = null;
      for (const conn of agents) {
        const p = conn.principal as AgentPrincipal | null;
        if (!p) continue;
        if (!state && c && c.assigneeId && c.assigneeId !== p.agentId && !conn.opened.has(id)) continue;
        if (c && this.mayAccess(p, c)) {
          json ??= JSON.stringify(AgentConversationUpdated.parse({ type: 'agent.conversation.updated', conversation: this.agentView(c) }));
          conn.inbox.add(id);
          conn.sendRaw(json);
        } else if (conn.inbox.delete(id)) {
          conn.sendRaw(JSON.stringify(AgentConversationRemoved.parse({ type: 'agent.conversation.removed', conversationId: id })));
          // A former assignee who has it open keeps following it, read-only (R13).
          if (!(c && conn.opened.has(id) && this.mayRead(p, c)) && conn.opened.delete(id)) this.hub.unsubscribe(`conv:${id}`, conn);
        }
      }
    }
  }

  /** Agents that are online (at least one socket). */
  onlineAgents(): Set<string> {
    const s = new Set<string>();
    for (const conn of this.hub.members('agents')) if (conn.principal?.kind === 'agent') s.add(conn.principal.agentId);
    return s;
  }

  close(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
  }
}
