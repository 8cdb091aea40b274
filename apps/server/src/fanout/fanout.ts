import type { ConversationRow, MessageRow, Store } from '@ajuda/db';
import type { OwnerKeys } from '../services/owners.ts';
import {
  AgentConversationRemoved,
  AgentConversationUpdated,
  AgentEscalation,
  ConversationUpdated,
  FeedbackRecorded,
  FeedbackRequested,
  MessageCreated,
  RealmSnapshot,
  ReadReceipt,
  SlaBreached,
  Typing,
} from '@ajuda/protocol';
import type { Hub } from '../hub.ts';
import { escalationView, messageView } from '../projections.ts';
import type { Access } from '../services/access.ts';
import type { Views } from '../services/views.ts';
import type { SessionState } from '../session/port.ts';
import type { DomainEvents, EventBus } from './events.ts';

/**
 * The only module that turns domain events into frames and touches the hub. Topics:
 *  - `owner:<ownerKey>`  every socket of one requester (all their tabs)
 *  - `conv:<id>`         agent sockets that opened the conversation
 *  - `agents`            every agent socket (inbox updates are filtered per agent)
 *  - `agent:<id>`        every socket of one agent
 *  - `leads`             every support lead's socket (escalations, SLA breaches)
 *  - `realm:<id>`        agent sockets that opened a conversation of that realm (grant changes)
 * Frames are validated by their schema and serialised once, then sent to many. Behind the hub,
 * a Redis adapter can carry the same topics between processes.
 */
export class Fanout {
  /** Conversations whose inbox rows changed; flushed to agents every 250 ms (coalesced). */
  private readonly dirty = new Set<string>();
  private readonly dirtyActivity = new Set<string>();
  private flushTimer: NodeJS.Timeout | null = null;
  /** The inbox flush under way, awaited by close(). */
  private flushing: Promise<void> | null = null;
  private closed = false;
  /** Realm topics a session joined (left with the session). */
  private readonly realms = new WeakMap<SessionState, Set<string>>();
  /** Owner reads in flight, per conversation (see messageCreated). */
  private readonly ownerLookups = new Map<string, Promise<string>>();
  /** Replays in progress: live messages for these (session, conversation) pairs wait, by seq. */
  private readonly holds = new Map<SessionState, Map<string, Map<number, string>>>();
  /**
   * Cluster mode (see `sequence`): per conversation, the last seq this process delivered live; and
   * per conversation, the delivery in progress that later messages of it wait behind (a gap being
   * read from the store).
   */
  private seqs: Map<string, number> | null = null;
  /** Cluster mode: per socket and conversation, the seq its replay reached past what was delivered here live. */
  private readonly floors = new Map<SessionState, Map<string, number>>();
  private readonly inOrder = new Map<string, Promise<void>>();
  /** Told when an agent's first socket joins here or their last one leaves (cluster presence). */
  onPresence: ((agentId: string, online: boolean) => void) | null = null;

  constructor(
    private readonly hub: Hub<SessionState>,
    private readonly store: Store,
    private readonly views: Views,
    private readonly access: Access,
    private readonly owners: OwnerKeys,
    events: EventBus,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    events.on('message.created', (e, meta) => (meta.remote ? this.remoteMessage(e) : this.messageCreated(e)));
    events.on('conversation.started', ({ conversationId }) => {
      // A new conversation's first message is seq 1 (cluster mode: nothing before it to wait for).
      if (this.seqs && !this.seqs.has(conversationId)) this.track(conversationId, 0);
      this.markDirty(conversationId);
    });
    events.on('conversation.changed', ({ conversationId }) => this.conversationChanged(conversationId));
    events.on('conversation.read', ({ conversation: c, by, lastReadSeq }) => {
      const frame = JSON.stringify(ReadReceipt.parse({ type: 'read.receipt', conversationId: c.id, by, lastReadSeq }));
      if (by === 'agent') {
        this.hub.publish(`owner:${c.ownerKey}`, frame);
        this.markDirty(c.id, 'activity');
      } else this.hub.publish(`conv:${c.id}`, frame);
    });
    events.on('typing.changed', ({ conversation: c, from, on }) => {
      const frame = JSON.stringify(Typing.parse({ type: 'typing', conversationId: c.id, from, on }));
      if (from === 'agent') this.hub.publish(`owner:${c.ownerKey}`, frame);
      else this.hub.publish(`conv:${c.id}`, frame);
    });
    events.on('feedback.requested', ({ conversation: c }) => {
      this.hub.publish(`owner:${c.ownerKey}`, JSON.stringify(FeedbackRequested.parse({ type: 'feedback.requested', conversationId: c.id })));
    });
    events.on('feedback.recorded', (e) => {
      this.hub.publish(`conv:${e.conversationId}`, JSON.stringify(FeedbackRecorded.parse({ type: 'feedback.recorded', ...e })));
    });
    events.on('escalation.created', ({ escalation }) => {
      this.hub.publish('leads', JSON.stringify(AgentEscalation.parse({ type: 'agent.escalation', escalation: escalationView(escalation) })));
    });
    events.on('sla.breached', ({ conversationId, clock, at }) => {
      this.hub.publish('leads', JSON.stringify(SlaBreached.parse({ type: 'sla.breached', conversationId, clock, at })));
      this.markDirty(conversationId);
    });
    events.on('grants.changed', ({ realmId }) => this.grantsChanged(realmId));
  }

  // ── sessions ──

  /** A session's principal is known (after hello): join its topics. */
  join(s: SessionState): void {
    const p = s.principal;
    if (!p) return;
    if (p.kind !== 'agent') return this.hub.subscribe(`owner:${p.ownerKey}`, s);
    this.hub.subscribe('agents', s);
    this.hub.subscribe(`agent:${p.agentId}`, s);
    if (p.role === 'lead') this.hub.subscribe('leads', s);
    if (this.hub.count(`agent:${p.agentId}`) === 1) this.onPresence?.(p.agentId, true);
  }

  /** The socket closed: leave every topic. */
  leave(s: SessionState): void {
    this.holds.delete(s);
    this.floors.delete(s);
    const p = s.principal;
    if (!p) return;
    if (p.kind !== 'agent') return this.hub.unsubscribe(`owner:${p.ownerKey}`, s);
    this.hub.unsubscribe('agents', s);
    const had = this.hub.count(`agent:${p.agentId}`);
    this.hub.unsubscribe(`agent:${p.agentId}`, s);
    if (had > 0 && this.hub.count(`agent:${p.agentId}`) === 0) this.onPresence?.(p.agentId, false);
    this.hub.unsubscribe('leads', s);
    for (const id of s.opened) this.hub.unsubscribe(`conv:${id}`, s);
    for (const r of this.realms.get(s) ?? []) this.hub.unsubscribe(`realm:${r}`, s);
  }

  /**
   * Subscribe-then-read: an agent's socket follows a conversation (and its realm's grant changes)
   * BEFORE the caller reads what it missed, and live messages for it wait until `release`:
   * a message committed between the read and the subscription is neither lost nor sent twice.
   *
   * @example const replay = svc.fanout.follow(io.session, c); … read and send … replay.release(lastSentSeq);
   */
  follow(s: SessionState, c: Pick<ConversationRow, 'id' | 'realmId'>): Replay {
    if (s.principal?.kind === 'agent' && !s.opened.has(c.id)) {
      s.opened.add(c.id);
      this.hub.subscribe(`conv:${c.id}`, s);
      if (c.realmId) {
        let set = this.realms.get(s);
        if (!set) this.realms.set(s, (set = new Set()));
        set.add(c.realmId);
        this.hub.subscribe(`realm:${c.realmId}`, s);
      }
    }
    return this.hold(s, c.id);
  }

  /** Hold live messages of one conversation for one session until the replay is sent (requesters are subscribed since hello). */
  hold(s: SessionState, conversationId: string): Replay {
    let bySession = this.holds.get(s);
    if (!bySession) this.holds.set(s, (bySession = new Map()));
    const held = new Map<number, string>();
    bySession.set(conversationId, held);
    return {
      release: (sentUpTo: number) => {
        if (this.seqs) {
          const tracked = this.seqs.get(conversationId);
          // Cluster mode: a conversation this process never delivered live starts from the replay;
          // one whose replay read past what arrived here live (another process's messages, their
          // hints still on the way) must not send this socket those again when they come.
          if (tracked === undefined) this.track(conversationId, sentUpTo);
          else if (tracked < sentUpTo) {
            let mine = this.floors.get(s);
            if (!mine) this.floors.set(s, (mine = new Map()));
            mine.set(conversationId, sentUpTo);
          }
        }
        const cur = this.holds.get(s);
        if (cur?.get(conversationId) === held) {
          cur.delete(conversationId);
          if (!cur.size) this.holds.delete(s);
        }
        // Dedupe by seq: what the replay already carried is not sent again; the rest in order.
        for (const seq of [...held.keys()].sort((a, b) => a - b)) if (seq > sentUpTo) s.sendRaw(held.get(seq)!);
      },
    };
  }

  /** Agents that are online (at least one socket). */
  onlineAgents(): Set<string> {
    const s = new Set<string>();
    for (const conn of this.hub.members('agents')) if (conn.principal?.kind === 'agent') s.add(conn.principal.agentId);
    return s;
  }

  // ── events → frames ──

  /** A new message: to the requester's sockets (never notes) and to agents who opened it. */
  private messageCreated({ message: m, origin }: DomainEvents['message.created']): void | Promise<void> {
    const json = JSON.stringify(MessageCreated.parse({ type: 'message.created', message: messageView(m) }));
    const owner = this.owners.get(m.conversationId);
    // Not seen yet: its owner is read once, and every message of the conversation arriving
    // meanwhile waits on the same read, so they still go out in the order they came (seq order).
    const lookup = this.ownerLookups.get(m.conversationId);
    if (lookup || (owner === undefined && m.kind !== 'note')) {
      let wait = lookup;
      if (!wait) {
        wait = this.store.getConversation(m.conversationId).then((c) => (c ? this.owners.remember(c).ownerKey : ''));
        this.ownerLookups.set(m.conversationId, wait);
        const done = () => {
          if (this.ownerLookups.get(m.conversationId) === wait) this.ownerLookups.delete(m.conversationId);
        };
        wait.then(done, done);
      }
      return wait.then((key) => this.deliver(m, json, key, origin));
    }
    return this.deliver(m, json, owner ?? '', origin);
  }

  // ── cluster mode: each message once, in seq order, whoever committed it ──

  /**
   * Another process committed a message. Nobody here follows its conversation: only the inbox rows
   * of agents here may change, and this process forgets where the conversation was (a socket that
   * opens it later starts from its replay). Otherwise it goes the way of a local one.
   */
  private remoteMessage(e: DomainEvents['message.created']): void | Promise<void> {
    const m = e.message;
    if (e.ownerKey !== undefined) this.owners.remember({ id: m.conversationId, ownerKey: e.ownerKey });
    const owner = this.owners.get(m.conversationId);
    if (owner !== undefined && this.hub.count(`conv:${m.conversationId}`) === 0 && this.hub.count(`owner:${owner}`) === 0 && !this.inOrder.has(m.conversationId)) {
      this.seqs?.delete(m.conversationId);
      this.views.observe(m);
      if (this.hub.count('agents') > 0) this.markDirty(m.conversationId, 'activity');
      return;
    }
    return this.messageCreated(e);
  }

  /**
   * Cluster mode: messages reach this process from its own commands and, as hints on the bus,
   * from every other process — late, twice or never. From now on each conversation's messages go
   * to this process's sockets once and in seq order: one already delivered is dropped, one past a
   * gap first reads the gap from the store. `catchUp` does the same for every conversation followed
   * here when a hint may have been lost.
   */
  sequence(): void {
    this.seqs ??= new Map();
  }

  private deliver(m: MessageRow, json: string, owner: string, origin: SessionState | undefined): void | Promise<void> {
    if (!this.seqs) return this.sendMessage(m, json, owner, origin);
    const id = m.conversationId;
    if (this.inOrder.has(id)) return this.after(id, () => this.deliverNow(m, json, owner, origin));
    const r = this.deliverNow(m, json, owner, origin);
    return r ? this.after(id, () => r) : undefined;
  }

  private deliverNow(m: MessageRow, json: string, owner: string, origin: SessionState | undefined): void | Promise<void> {
    const last = this.seqs!.get(m.conversationId);
    if (last !== undefined && m.seq <= last) return; // delivered already (by a catch-up, or a second hint)
    if (last === undefined || m.seq === last + 1) {
      this.track(m.conversationId, m.seq);
      return this.sendMessage(m, json, owner, origin);
    }
    return this.readGap(m.conversationId, m, origin);
  }

  /** Run `step` after whatever this conversation's delivery is waiting on; later messages wait behind it. */
  private after(id: string, step: () => void | Promise<void>): Promise<void> {
    const prev = this.inOrder.get(id);
    const next = (prev ? prev.then(step) : Promise.resolve().then(step)).catch(this.onError);
    this.inOrder.set(id, next);
    void next.then(() => {
      if (this.inOrder.get(id) === next) this.inOrder.delete(id);
    });
    return next;
  }

  /** Send what the store holds past the last seq delivered here (the sender's own socket already has its ack). */
  private async readGap(id: string, carry?: MessageRow, origin?: SessionState): Promise<void> {
    let owner = this.owners.get(id);
    if (owner === undefined) {
      const c = await this.store.getConversation(id);
      if (!c) return;
      owner = this.owners.remember(c).ownerKey;
    }
    for (;;) {
      const last = this.seqs!.get(id) ?? 0;
      const rows = await this.store.messagesAfter(id, last, GAP_PAGE, true);
      for (const r of rows) {
        if (r.seq <= (this.seqs!.get(id) ?? 0)) continue;
        this.track(id, r.seq);
        const json = JSON.stringify(MessageCreated.parse({ type: 'message.created', message: messageView(r) }));
        this.sendMessage(r, json, owner, carry && r.seq === carry.seq ? origin : undefined);
      }
      if (rows.length < GAP_PAGE) return;
    }
  }

  private track(id: string, seq: number): void {
    const seqs = this.seqs!;
    seqs.set(id, seq);
    if (seqs.size > MAX_TRACKED) {
      // Forget the oldest tenth; such a conversation's next message is taken as it comes.
      let drop = MAX_TRACKED / 10;
      for (const k of seqs.keys()) {
        if (drop-- <= 0) break;
        if (!this.inOrder.has(k)) seqs.delete(k);
      }
    }
  }

  /**
   * A hint may have been lost (a gap in a publisher's sequence, a reconnect, a deaf subscriber) or
   * it is time for the periodic pass: compare every conversation followed by a socket here with
   * the store and send what is missing, in order. `full` (a detected loss): also refresh the
   * state of those conversations for their requesters and every agent's inbox rows, since
   * `conversation.changed` hints may have been lost too.
   */
  async catchUp(full: boolean): Promise<number> {
    const seqs = this.seqs;
    if (!seqs) return 0;
    const ids: string[] = [];
    for (const id of seqs.keys()) {
      const owner = this.owners.get(id);
      if (this.hub.count(`conv:${id}`) > 0 || (owner !== undefined && this.hub.count(`owner:${owner}`) > 0)) ids.push(id);
    }
    let behind = 0;
    for (let i = 0; i < ids.length; i += GAP_PAGE) {
      for (const c of await this.store.getConversations(ids.slice(i, i + GAP_PAGE))) {
        this.owners.remember(c);
        if (c.lastSeq > (seqs.get(c.id) ?? 0)) {
          behind++;
          void this.after(c.id, () => this.readGap(c.id));
        }
        if (full) this.later(this.conversationChanged(c.id));
      }
    }
    if (full) {
      const since = new Date(Date.now() - 86_400_000).toISOString();
      for (const c of await this.store.listOpen(since)) this.markDirty(c.id);
    }
    await Promise.all(ids.map((id) => this.inOrder.get(id)));
    return behind;
  }

  private sendMessage(m: MessageRow, json: string, owner: string, origin: SessionState | undefined): void {
    if (m.kind !== 'note') this.publishMessage(`owner:${owner}`, m.conversationId, m.seq, json, origin);
    this.publishMessage(`conv:${m.conversationId}`, m.conversationId, m.seq, json, origin);
    this.views.observe(m);
    this.markDirty(m.conversationId, 'activity');
  }

  /** Frames that need a read first go out when it resolves; a failure is logged, never thrown at the emitter. */
  private later(p: Promise<unknown>): void {
    p.catch(this.onError);
  }

  private publishMessage(topic: string, conversationId: string, seq: number, json: string, except?: SessionState): void {
    if (!this.holds.size && !this.floors.size) return this.hub.publish(topic, json, except);
    for (const s of this.hub.members(topic)) {
      if (s === except) continue;
      const held = this.holds.get(s)?.get(conversationId);
      if (held) {
        held.set(seq, json);
        continue;
      }
      const floors = this.floors.get(s);
      const floor = floors?.get(conversationId);
      if (floor !== undefined) {
        if (seq <= floor) continue; // its replay carried it
        floors!.delete(conversationId);
        if (!floors!.size) this.floors.delete(s);
      }
      s.sendRaw(json);
    }
  }

  /** A conversation's state changed: tell its requester now, agents' inboxes on the next flush. */
  private async conversationChanged(id: string): Promise<void> {
    const c = await this.store.getConversation(id);
    if (!c) return;
    this.owners.remember(c);
    this.hub.publish(`owner:${c.ownerKey}`, JSON.stringify(ConversationUpdated.parse({ type: 'conversation.updated', conversation: await this.views.requesterView(c) })));
    this.markDirty(id);
  }

  /** Tell every agent viewing this realm; effective from the next frame (R12c). */
  private async grantsChanged(realmId: string): Promise<void> {
    for (const conn of [...this.hub.members(`realm:${realmId}`)]) {
      for (const id of [...conn.opened]) {
        const c = await this.store.getConversation(id);
        if (c?.realmId === realmId) conn.sendRaw(JSON.stringify(RealmSnapshot.parse(await this.views.realmSnapshot(id, realmId))));
      }
    }
  }

  /**
   * Queue an inbox update. `state` (status, priority, queue, assignee…) goes to every agent who
   * may see the conversation; `activity` (new messages, reads) only to its assignee and the
   * sockets that opened it — and to everyone while it waits unassigned — so a busy desk does not
   * pay agents × conversations frames for every message.
   */
  markDirty(id: string, kind: 'state' | 'activity' = 'state'): void {
    if (kind === 'state') this.dirty.add(id);
    else if (!this.dirty.has(id)) this.dirtyActivity.add(id);
    if (this.closed || this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      const run = this.flushInbox().catch(this.onError);
      this.flushing = run.finally(() => {
        if (this.flushing === run) this.flushing = null;
      });
    }, 250);
  }

  /** Send inbox rows to every agent socket that may see them; removals to those that no longer may. */
  async flushInbox(): Promise<void> {
    this.flushTimer = null;
    const ids: Array<[string, boolean]> = [...this.dirty].map((id): [string, boolean] => [id, true]);
    for (const id of this.dirtyActivity) if (!this.dirty.has(id)) ids.push([id, false]);
    this.dirty.clear();
    this.dirtyActivity.clear();
    const agents = [...this.hub.members('agents')];
    if (!agents.length) return;
    // One read for all of them; sent in order.
    const byId = new Map((await this.store.getConversations(ids.map(([id]) => id))).map((c) => [c.id, c]));
    for (const [id, state] of ids) {
      const c = byId.get(id);
      let json: string | null = null;
      for (const conn of agents) {
        const p = conn.principal;
        if (p?.kind !== 'agent') continue;
        if (!state && c && c.assigneeId && c.assigneeId !== p.agentId && !conn.opened.has(id)) continue;
        if (c && this.access.mayAccess(p, c)) {
          json ??= JSON.stringify(AgentConversationUpdated.parse({ type: 'agent.conversation.updated', conversation: await this.views.agentView(c, { activity: !state }) }));
          conn.inbox.add(id);
          conn.sendRaw(json);
        } else if (conn.inbox.delete(id)) {
          conn.sendRaw(JSON.stringify(AgentConversationRemoved.parse({ type: 'agent.conversation.removed', conversationId: id })));
          // A former assignee who has it open keeps following it, read-only (R13).
          if (!(c && conn.opened.has(id) && (await this.access.mayRead(p, c))) && conn.opened.delete(id)) this.hub.unsubscribe(`conv:${id}`, conn);
        }
      }
    }
  }

  /** Stop: no more inbox flushes, and the one under way (if any) has finished before the store closes. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await this.flushing;
  }
}

/** Messages read per query when a gap is filled from the store. */
const GAP_PAGE = 500;
/** Conversations whose last delivered seq is remembered (cluster mode). */
const MAX_TRACKED = 100_000;

/** A replay in progress: `release(lastSentSeq)` sends what arrived live meanwhile, past that seq, in order. */
export interface Replay {
  release(sentUpTo: number): void;
}
