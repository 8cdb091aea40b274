import type { ConversationRow, MessageRow, RoutingRow, Store } from '@ajuda/db';
import { activeGrant, slaState, type GrantRecord, type SlaPolicy, type SlaState } from '@ajuda/policy';
import type { FrameOf, ServerFrame, SlaView } from '@ajuda/protocol';
import type { Config } from '../config.ts';
import type { RealmDirectory } from '../domains/realm/directory.ts';
import {
  agentConversationView,
  grantView,
  lastMessagePreview,
  pipelineView,
  projectView,
  requesterConversationView,
  type LastMessage,
} from '../projections.ts';
import type { Clock } from './clock.ts';
import type { OwnerKeys } from './owners.ts';

type RowParts = { assigneeId: string | null; assignee: { id: string; name: string } | null; routing: RoutingRow[] };

/**
 * Views that read the store: SLA state, each audience's conversation view, the live grant and the
 * realm beside a conversation. They end in the projections (projections.ts), the allow-lists.
 */
export class Views {
  constructor(
    private readonly config: Config,
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly owners: OwnerKeys,
    private readonly directory: RealmDirectory,
    /** R10: the targets of the realm's contract tier (the configured default without one). */
    private readonly slaPolicy: (realmId: string | null) => SlaPolicy = () => config.sla,
  ) {}

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
      this.clock.now(),
      this.slaPolicy(c.realmId),
    );
  }

  slaView(c: ConversationRow): SlaView {
    const s = this.sla(c);
    const recorded = c.breaches;
    if (!s) return { firstResponseDueAt: null, nextResponseDueAt: null, resolutionDueAt: null, breached: recorded };
    const iso = (x: Date | null) => (x ? x.toISOString() : null);
    return {
      firstResponseDueAt: iso(s.firstResponseDueAt),
      nextResponseDueAt: iso(s.nextResponseDueAt),
      resolutionDueAt: iso(s.resolutionDueAt),
      breached: [...new Set([...recorded, ...s.breached])],
    };
  }

  async requesterView(c: ConversationRow) {
    this.owners.remember(c);
    const s = this.sla(c);
    const assignee = c.assigneeId ? await this.store.getAgent(c.assigneeId) : undefined;
    return requesterConversationView(c, {
      firstResponseDueAt: s?.firstResponseDueAt && !c.firstAgentReplyAt ? s.firstResponseDueAt.toISOString() : null,
      assigneeName: assignee?.name ?? null,
    });
  }

  /**
   * The agents' row for a conversation. `activity`: only messages or reads happened since the
   * last row (no state event: routing and assignee cannot have changed), so the assignee and the
   * routing log read for that row are reused and only the conversation itself was read again.
   */
  async agentView(c: ConversationRow, opts: { activity?: boolean } = {}) {
    this.owners.remember(c);
    const known = opts.activity ? this.rowParts.get(c.id) : undefined;
    let parts: RowParts;
    let lastMessage: LastMessage;
    if (known && known.assigneeId === c.assigneeId) {
      parts = known;
      lastMessage = await this.lastMessage(c);
    } else {
      const [a, routing, last] = await Promise.all([c.assigneeId ? this.store.getAgent(c.assigneeId) : undefined, this.store.routing(c.id), this.lastMessage(c)]);
      parts = { assigneeId: c.assigneeId, assignee: a ? { id: a.id, name: a.name } : null, routing };
      if (this.rowParts.size > 10_000) this.rowParts.clear();
      this.rowParts.set(c.id, parts);
      lastMessage = last;
    }
    return agentConversationView(c, { sla: this.slaView(c), assignee: parts.assignee, routing: parts.routing, lastMessage });
  }
  private readonly rowParts = new Map<string, RowParts>();

  /**
   * A message was created: the inbox preview follows it without reading the store again, when the
   * preview is known up to the message before it (notes and system lines move the seq, not the text).
   */
  observe(m: MessageRow): void {
    const hit = this.previews.get(m.conversationId);
    if (!hit || hit.seq !== m.seq - 1) return;
    this.previews.set(m.conversationId, { seq: m.seq, preview: m.kind === 'text' ? lastMessagePreview(m) : hit.preview });
  }

  /** The inbox preview, recomputed only when the conversation's last seq moved (rows are sent often). */
  private async lastMessage(c: ConversationRow): Promise<LastMessage> {
    const hit = this.previews.get(c.id);
    if (hit && hit.seq === c.lastSeq) return hit.preview;
    // Notes and system lines are skipped: the preview is what the requester and the agents said.
    const recent = await this.store.messagesAfter(c.id, Math.max(0, c.lastSeq - 20), 20, false);
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

  // ── grants and the realm (R12) ──
  async grantRecords(realmId: string): Promise<GrantRecord[]> {
    return (await this.store.grants(realmId)).map((g) => ({ id: g.id, realmId: g.realmId, level: g.level, expiresAt: new Date(g.expiresAt), revokedAt: g.revokedAt ? new Date(g.revokedAt) : null }));
  }

  /** The realm's live grant (R12b), as the grant view. */
  async currentGrant(realmId: string | null) {
    if (!realmId) return null;
    const rows = await this.store.grants(realmId);
    const records: GrantRecord[] = rows.map((g) => ({ id: g.id, realmId: g.realmId, level: g.level, expiresAt: new Date(g.expiresAt), revokedAt: g.revokedAt ? new Date(g.revokedAt) : null }));
    const g = activeGrant(records, realmId, this.clock.now());
    const row = g ? rows.find((x) => x.id === g.id) : undefined;
    return row ? grantView(row) : null;
  }

  /** The realm as an agent sees it beside one conversation (R12a), with the live grant. */
  async realmSnapshot(conversationId: string, realmId: string, ref?: string): Promise<FrameOf<ServerFrame, 'realm.snapshot'>> {
    const [pipelines, projects, grant] = await Promise.all([this.directory.pipelines(realmId), this.directory.projects(realmId), this.currentGrant(realmId)]);
    return {
      type: 'realm.snapshot',
      ref,
      conversationId,
      realmId,
      pipelines: pipelines.map(pipelineView),
      projects: projects.map(projectView),
      grant,
    };
  }
}
