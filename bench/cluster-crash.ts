// Cluster crash rounds (`pnpm bench:reliability --cluster`): three Ajuda nodes in cluster mode on
// one PostgreSQL database and one redis-server (apps/server/test/cluster/harness.ts starts them:
// the real server entry, each node a process), requesters and agents spread over the nodes with
// messages flowing both ways; every few seconds a random node is SIGKILLed and started again on
// the same port (the victim is drawn among the nodes holding client sockets at that moment: one
// just restarted and still empty would test nothing). A client whose node died reconnects to
// another node as the widget does: hello again (the visitor token, or the agent's login cookie),
// `session.resume` from the last seq it holds without a gap for each conversation it follows, and
// every unacked message sent again with the same clientMsgId. At the end, from PostgreSQL and from
// what each client received: acked, lost (acked but not stored, or stored at another seq),
// duplicates (a clientMsgId stored twice, a client receiving a seq twice), seq gaps (in the table,
// and in what a client holds), and the time from a socket's drop to `session.ready` on another node.
import WebSocket from 'ws';
import { PgStore } from '../packages/db/src/index.ts';
import { startCluster } from '../packages/db/src/pg-cluster.ts';
import { PROTOCOL_VERSION } from '../packages/protocol/src/index.ts';
import { freePort, startNode, startRedis, type AjudaNode, type NodeOptions, type RedisHandle } from '../apps/server/test/cluster/harness.ts';
import { countLogLines, spread } from './cluster.ts';
import { median, sleep } from './lib/stats.ts';

const AGENT_EMAILS = ['joao@ajuda.local', 'emma@ajuda.local', 'sofia@ajuda.local', 'lea@ajuda.local'];

export interface ClusterCrashOptions {
  rounds: number;
  requesters: number;
  agentSockets: number;
  /** Load between kills, ms: uniform in [min, max]. */
  intervalMs: [number, number];
  /** A requester sends a new message every paceMs (if fewer than `window` are unacked). */
  requesterPaceMs: number;
  agentPaceMs: number;
  window: number;
  log?: (s: string) => void;
}

export interface ClusterCrashSection {
  nodes: number;
  rounds: number;
  requesters: number;
  agentSockets: number;
  conversations: number;
  crossFraction: number;
  acked: number;
  ackedByRequesters: number;
  ackedByAgents: number;
  /** Acked but not in PostgreSQL. */
  ackedLost: number;
  /** Acked at one seq, stored at another (or acked twice with different seqs). */
  ackSeqMismatch: number;
  /** Never acked although resent until the end (reported, not a loss: nobody was told it was stored). */
  neverAcked: number;
  /** clientMsgIds stored twice + seqs a client received twice outside a replay it asked for. */
  duplicates: number;
  duplicatesStored: number;
  duplicatesDelivered: number;
  /**
   * Seqs a requester received live on its new socket before its `session.resume` and again in the
   * replay it asked for (resume from its last gapless seq): the protocol's overlap, which the widget
   * drops by seq. Reported; not counted in `duplicates`.
   */
  replayOverlaps: number;
  /** Conversations whose stored seqs are not exactly 1..last_seq. */
  seqGaps: number;
  /** Seqs a client following a conversation never received (after the cluster settled). */
  clientMissing: number;
  /** Seqs a client received out of order on one socket. */
  clientOutOfOrder: number;
  kills: Array<{ node: string; atMs: number; restartMs: number; socketsDropped: number }>;
  reconnects: number;
  reconnectToReadyMsMedian: number | null;
  reconnectToReadyMsMax: number | null;
  /** Drop → every followed conversation's resume.done. */
  reconnectToResumedMsMedian: number | null;
  reconnectToResumedMsMax: number | null;
  nodeRestartMsMedian: number | null;
  nodeRestartMsMax: number | null;
  clientErrors: Record<string, number>;
  /** The nodes' warn/error log lines, by message (every incarnation's log). */
  serverLog: Record<string, number>;
  detail: string[];
}

interface Frame {
  type: string;
  ref?: string;
  code?: string;
  conversationId?: string;
  clientMsgId?: string;
  seq?: number;
  visitorToken?: string;
  conversation?: { id: string; lastSeq: number };
  messages?: Array<{ seq: number }>;
  message?: { conversationId: string; seq: number; kind: string; clientMsgId?: string };
}

interface ConvState {
  base: number;
  /** seq → how it first came: socket generation, and whether during that socket's replay of this conversation. */
  created: Map<number, { gen: number; beforeResumeDone: boolean }>;
  acked: Set<number>;
  /** Highest created seq on the current socket (order check). */
  lastOnSocket: number;
  /** The current socket asked for a replay of this conversation and has not had resume.done. */
  replaying: boolean;
}

interface Pending {
  conversationId: string;
  clientMsgId: string;
}

/**
 * One person's tab: a socket to one node, moved to another node when its node dies. Requesters
 * follow their own conversation; agents the conversations they opened.
 */
class Tab {
  ws: WebSocket | null = null;
  node: number;
  ready = false;
  gen = 0;
  stopped = false;
  generating = false;
  visitorToken: string | null = null;
  readonly convs = new Map<string, ConvState>();
  readonly unacked = new Map<string, Pending>();
  readonly acked = new Map<string, { conversationId: string; seq: number }>();
  readonly errors: Record<string, number> = {};
  readonly reconnectReady: number[] = [];
  readonly reconnectResumed: number[] = [];
  dupDelivered = 0;
  replayOverlaps = 0;
  outOfOrder = 0;
  readonly detail: string[] = [];
  private next = 0;
  private droppedAt: number | null = null;
  private waitingResume = 0;
  private readonly replies = new Map<string, (f: Frame) => void>();
  private pace: NodeJS.Timeout | null = null;

  constructor(
    readonly name: string,
    readonly kind: 'requester' | 'agent',
    node: number,
    private readonly urls: string[],
    private readonly isUp: (node: number) => boolean,
    private readonly cookie: string | null,
    private readonly paceMs: number,
    private readonly window: number,
  ) {
    this.node = node;
  }

  /** Open the first socket and say hello (setup: no reconnects yet). */
  async open(): Promise<void> {
    await this.connect(this.node);
  }

  /** Send a frame with a ref and wait for the reply carrying it (setup only). */
  request(frame: Record<string, unknown>, type: string, timeoutMs = 30_000): Promise<Frame> {
    const ref = `q${Math.random().toString(36).slice(2)}`;
    return new Promise((res, rej) => {
      const t = setTimeout(() => {
        this.replies.delete(ref);
        rej(new Error(`${this.name}: timeout waiting for ${type}`));
      }, timeoutMs);
      this.replies.set(ref, (f) => {
        clearTimeout(t);
        if (f.type === type) res(f);
        else rej(new Error(`${this.name}: ${type} answered ${JSON.stringify(f).slice(0, 300)}`));
      });
      this.ws!.send(JSON.stringify({ ...frame, ref }));
    });
  }

  follow(conversationId: string, base: number, seen: number[] = []): void {
    const c: ConvState = { base, created: new Map(), acked: new Set(), lastOnSocket: Math.max(base, ...seen), replaying: false };
    for (const s of seen) if (s > base) c.created.set(s, { gen: this.gen, beforeResumeDone: false });
    this.convs.set(conversationId, c);
  }

  /** The last seq held without a gap (as the widget computes what to resume from). */
  contiguous(c: ConvState): number {
    let s = c.base;
    while (c.created.has(s + 1) || c.acked.has(s + 1)) s++;
    return s;
  }

  startSending(): void {
    this.generating = true;
    // Each tab's ticks at its own phase of the interval.
    this.pace = setTimeout(() => {
      this.pace = setInterval(() => this.tick(), this.paceMs);
      this.tick();
    }, Math.random() * this.paceMs);
  }

  private tick(): void {
    if (!this.ready || !this.generating || this.unacked.size >= this.window) return;
    const ids = [...this.convs.keys()];
    const conversationId = ids[Math.floor(Math.random() * ids.length)]!;
    const p = { conversationId, clientMsgId: `${this.name}-${this.next++}` };
    this.unacked.set(p.clientMsgId, p);
    this.sendMsg(p);
  }

  private sendMsg(p: Pending): void {
    if (!this.ready || !this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ type: 'message.send', conversationId: p.conversationId, clientMsgId: p.clientMsgId, body: `body ${p.clientMsgId}`, ref: `m:${p.clientMsgId}` }));
  }

  /** Resend whatever is unacked (after a reconnect, and as a nudge while finishing). */
  resendAll(): void {
    for (const p of this.unacked.values()) this.sendMsg(p);
  }

  private connect(node: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const url = this.urls[node]!;
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ws${this.kind === 'agent' ? '/agent' : ''}`, {
        origin: url,
        perMessageDeflate: false,
        headers: this.cookie ? { cookie: this.cookie } : {},
        handshakeTimeout: 5000,
      });
      const gen = ++this.gen;
      let settled = false;
      const settle = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve();
      };
      ws.once('error', (e) => settle(e));
      ws.once('unexpected-response', (_q, r) => settle(new Error(`upgrade refused: ${r.statusCode}`)));
      ws.once('open', () => {
        this.ws = ws;
        this.node = node;
        const hello: Record<string, unknown> = { type: 'session.hello', v: PROTOCOL_VERSION, ref: 'hello' };
        if (this.kind === 'requester') Object.assign(hello, { channel: 'website', locale: 'en' }, this.visitorToken ? { visitorToken: this.visitorToken } : {});
        ws.send(JSON.stringify(hello));
      });
      ws.on('close', () => {
        if (this.ws !== ws) return settle(new Error('closed before open'));
        const wasReady = this.ready;
        this.ready = false;
        this.ws = null;
        for (const c of this.convs.values()) c.replaying = false;
        settle(new Error('closed before ready'));
        if (!this.stopped && wasReady) {
          this.droppedAt = Date.now();
          void this.reconnect();
        }
      });
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as Frame;
        if (f.type === 'session.ready') {
          if (f.visitorToken) this.visitorToken = f.visitorToken;
          this.ready = true;
          settle();
          if (this.droppedAt !== null) this.afterReconnect(gen);
          return;
        }
        if (f.ref && this.replies.has(f.ref)) {
          this.replies.get(f.ref)!(f);
          this.replies.delete(f.ref);
        }
        if (f.ref === 'hello' && f.type === 'error') settle(new Error(`hello refused: ${f.code}`));
        this.onFrame(f, gen);
      });
    });
  }

  /** Another node (not the one that dropped us first, if another is up), with a short backoff, until ready. */
  private async reconnect(): Promise<void> {
    const dead = this.node;
    for (let attempt = 0; !this.stopped; attempt++) {
      await sleep(30 + Math.random() * 70);
      const others = this.urls.map((_, k) => k).filter((k) => k !== dead && this.isUp(k));
      const pool = others.length ? others : this.urls.map((_, k) => k);
      const node = pool[Math.floor(Math.random() * pool.length)]!;
      try {
        await this.connect(node);
        return;
      } catch {
        /* refused or dropped: another try */
      }
    }
  }

  private afterReconnect(gen: number): void {
    const dropped = this.droppedAt!;
    this.droppedAt = null;
    this.reconnectReady.push(Date.now() - dropped);
    // As the widget: resume every followed conversation from its last gapless seq, then the outbox.
    this.waitingResume = this.convs.size;
    for (const [id, c] of this.convs) {
      c.replaying = true;
      c.lastOnSocket = this.contiguous(c);
      this.ws!.send(JSON.stringify({ type: 'session.resume', conversationId: id, lastSeq: c.lastOnSocket, ref: `r:${gen}:${id}:${dropped}` }));
    }
    this.resendAll();
  }

  private onFrame(f: Frame, gen: number): void {
    if (f.type === 'message.created' && f.message) {
      const m = f.message;
      const c = this.convs.get(m.conversationId);
      if (!c || m.seq <= c.base) return;
      // Order holds on one socket, outside a replay (a replay may go back below what came live just before it).
      if (!c.replaying && m.seq <= c.lastOnSocket) {
        this.outOfOrder++;
        if (this.detail.length < 5) this.detail.push(`${this.name}: seq ${m.seq} of ${m.conversationId} after ${c.lastOnSocket} on one socket`);
      }
      c.lastOnSocket = Math.max(c.lastOnSocket, m.seq);
      const first = c.created.get(m.seq);
      if (first) {
        // The replay this socket asked for re-sent what came live on it before the resume: the overlap the widget drops.
        if (c.replaying && first.gen === gen && first.beforeResumeDone) this.replayOverlaps++;
        else {
          this.dupDelivered++;
          if (this.detail.length < 10) this.detail.push(`${this.name}: seq ${m.seq} of ${m.conversationId} received twice (first on socket ${first.gen}, again on ${gen}${c.replaying ? ' in a replay' : ''})`);
        }
      } else c.created.set(m.seq, { gen, beforeResumeDone: c.replaying || this.waitingResume > 0 });
      return;
    }
    if (f.type === 'resume.done' && f.conversationId) {
      const c = this.convs.get(f.conversationId);
      if (c) c.replaying = false;
      const dropped = Number(f.ref?.split(':')[3]);
      if (--this.waitingResume === 0 && Number.isFinite(dropped)) this.reconnectResumed.push(Date.now() - dropped);
      return;
    }
    if (f.type === 'message.ack' && f.clientMsgId && f.conversationId && f.seq !== undefined) {
      const prev = this.acked.get(f.clientMsgId);
      if (prev && prev.seq !== f.seq) this.errors.ack_seq_changed = (this.errors.ack_seq_changed ?? 0) + 1;
      this.acked.set(f.clientMsgId, { conversationId: f.conversationId, seq: f.seq });
      this.convs.get(f.conversationId)?.acked.add(f.seq);
      this.unacked.delete(f.clientMsgId);
      return;
    }
    if (f.type === 'error') {
      this.errors[f.code ?? '?'] = (this.errors[f.code ?? '?'] ?? 0) + 1;
      if (f.ref?.startsWith('r:')) {
        // A refused resume: say so (nothing replayed for that conversation).
        const id = f.ref.split(':')[2]!;
        const c = this.convs.get(id);
        if (c) c.replaying = false;
        this.waitingResume = Math.max(0, this.waitingResume - 1);
        if (this.detail.length < 10) this.detail.push(`${this.name}: resume of ${id} refused: ${f.code}`);
      }
      // A refused send stays unacked and goes again after a pause on the same socket.
      const id = f.ref?.startsWith('m:') ? f.ref.slice(2) : null;
      const p = id ? this.unacked.get(id) : undefined;
      if (p) setTimeout(() => this.unacked.has(p.clientMsgId) && this.sendMsg(p), 100);
    }
  }

  stopSending(): void {
    this.generating = false;
    if (this.pace) {
      clearTimeout(this.pace);
      clearInterval(this.pace);
    }
  }

  close(): void {
    this.stopped = true;
    this.stopSending();
    this.ws?.terminate();
  }
}

/**
 * Run the rounds and verify. Resolves with the report (must-be-zero figures checked by the caller).
 *
 * @example const r = await runClusterCrash({ rounds: 5, requesters: 30, agentSockets: 6, intervalMs: [2000, 4000], requesterPaceMs: 200, agentPaceMs: 500, window: 3 });
 */
export async function runClusterCrash(o: ClusterCrashOptions): Promise<ClusterCrashSection> {
  const log = o.log ?? (() => {});
  const N = 3;
  const pgc = await startCluster({ fsync: true });
  let redis: RedisHandle | null = null;
  const incarnations: AjudaNode[] = [];
  const tabs: Tab[] = [];
  try {
    redis = await startRedis();
    const databaseUrl = await pgc.createDatabase('ajuda_crash');
    const ports = await Promise.all(Array.from({ length: N }, () => freePort()));
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const ids = ['a', 'b', 'c'];
    const nodeOpts = (k: number): NodeOptions => ({
      databaseUrl,
      redisUrl: redis!.url,
      id: ids[k],
      port: ports[k],
      origins: urls,
      env: { AJUDA_SYNCHRONOUS: 'FULL', AJUDA_FRAMES_PER_SECOND: '1000000', AJUDA_FRAME_BURST: '1000000', AJUDA_STARTS_PER_MINUTE: '1000000' },
    });
    const current: Array<AjudaNode | null> = await Promise.all(ids.map((_, k) => startNode(nodeOpts(k))));
    incarnations.push(...(current as AjudaNode[]));
    const isUp = (k: number) => !!current[k] && !current[k]!.exited;
    log(`cluster crash: 3 nodes up (${urls.join(', ')}); PostgreSQL ${pgc.port}, Redis ${redis.port}`);

    // Agents log in once (any node: sessions live in PostgreSQL); requesters are website visitors.
    const cookies: string[] = [];
    for (const email of AGENT_EMAILS) {
      const r = await fetch(`${urls[0]}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'ajuda-demo' }) });
      if (r.status !== 200) throw new Error(`login ${email}: ${r.status}`);
      cookies.push(r.headers.get('set-cookie')!.split(';')[0]!);
    }
    const s = spread(N, o.requesters, o.agentSockets);
    const requesters = Array.from({ length: o.requesters }, (_, i) => new Tab(`r${i}`, 'requester', s.requesterNode[i]!, urls, isUp, null, o.requesterPaceMs, o.window));
    const agents = Array.from({ length: o.agentSockets }, (_, k) => new Tab(`a${k}`, 'agent', s.agentNode[k]!, urls, isUp, cookies[k % cookies.length]!, o.agentPaceMs, 1));
    tabs.push(...requesters, ...agents);
    const convs: string[] = [];
    for (const [i, r] of requesters.entries()) {
      await r.open();
      const started = await r.request(
        { type: 'conversation.start', idempotencyKey: `crash-${i}-${Date.now()}`, requestType: 'general_question', locale: 'en', answers: { question: 'Cluster crash test: do my messages survive a node dying?' } },
        'conversation.started',
      );
      convs.push(started.conversation!.id);
      r.follow(started.conversation!.id, started.conversation!.lastSeq);
    }
    for (const a of agents) await a.open();
    for (const [i, id] of convs.entries()) {
      const a = agents[s.agentOf[i]!]!;
      const snap = await a.request({ type: 'conversation.open', conversationId: id }, 'conversation.snapshot');
      // The snapshot's messages are read after the conversation row, so they may already go past its
      // lastSeq (a line written meanwhile): what the snapshot carried is held, and is not sent again live.
      a.follow(id, snap.conversation!.lastSeq, (snap.messages ?? []).map((m) => m.seq));
    }
    log(`cluster crash: ${o.requesters} requesters, ${o.agentSockets} agent sockets, ${convs.length} conversations (${Math.round(s.crossFraction * 100)}% with requester and agent on different nodes); load on`);
    for (const t of tabs) t.startSending();

    const t0 = Date.now();
    const kills: ClusterCrashSection['kills'] = [];
    const ackedNow = () => tabs.reduce((n, t) => n + t.acked.size, 0);
    for (let round = 0; round < o.rounds; round++) {
      await sleep(o.intervalMs[0] + Math.random() * (o.intervalMs[1] - o.intervalMs[0]));
      // A random node among those holding sockets (one just restarted and still empty would test nothing).
      const holding = ids.map((_, j) => j).filter((j) => tabs.some((t) => t.ready && t.node === j));
      const pool = holding.length ? holding : ids.map((_, j) => j);
      const k = pool[Math.floor(Math.random() * pool.length)]!;
      const victim = current[k]!;
      const socketsDropped = tabs.filter((t) => t.ready && t.node === k).length;
      const at = Date.now();
      await victim.kill('SIGKILL');
      current[k] = null;
      const n = await startNode(nodeOpts(k));
      current[k] = n;
      incarnations.push(n);
      const restartMs = Date.now() - at;
      kills.push({ node: ids[k]!, atMs: at - t0, restartMs, socketsDropped });
      log(`round ${round + 1}/${o.rounds}: SIGKILL node ${ids[k]} (${socketsDropped} sockets on it), healthy again in ${restartMs} ms; acked so far ${ackedNow()}`);
    }
    // A little more load on the last incarnations, then stop producing and finish every retry.
    await sleep(o.intervalMs[0]);
    for (const t of tabs) t.stopSending();
    const finishBy = Date.now() + 60_000;
    while (tabs.some((t) => t.unacked.size) && Date.now() < finishBy) {
      await sleep(1000);
      for (const t of tabs) if (t.unacked.size) t.resendAll();
    }
    const neverAcked = tabs.reduce((n, t) => n + t.unacked.size, 0);
    log(`cluster crash: load stopped; ${ackedNow()} acked, ${neverAcked} never acked; checking PostgreSQL and what every client holds`);

    const store = await PgStore.open({ url: databaseUrl, poolMax: 2, migrate: false });
    try {
      type Row = { conversation_id: string; seq: number; sender: string; kind: string; client_msg_id: string | null };
      const readRows = async () => {
        const rows = await store.testing.sql<Row>('SELECT conversation_id, seq, sender, kind, client_msg_id FROM messages ORDER BY conversation_id, seq');
        const by = new Map<string, Row[]>();
        for (const r of rows) {
          if (!by.has(r.conversation_id)) by.set(r.conversation_id, []);
          by.get(r.conversation_id)!.push({ ...r, seq: Number(r.seq) });
        }
        return by;
      };
      // Every client holds every seq of what it follows (what it may see), after the cluster settles.
      const missingNow = (by: Map<string, Row[]>) => {
        let missing = 0;
        const examples: string[] = [];
        for (const t of tabs)
          for (const [id, c] of t.convs) {
            for (const r of by.get(id) ?? []) {
              if (r.seq <= c.base || (t.kind === 'requester' && r.kind === 'note')) continue;
              if (!c.created.has(r.seq) && !c.acked.has(r.seq)) {
                missing++;
                if (examples.length < 10) examples.push(`${t.name} (node ${ids[t.node]}) lacks seq ${r.seq} of ${id}`);
              }
            }
          }
        return { missing, examples };
      };
      const settle = async (ms: number) => {
        const until = Date.now() + ms;
        let m = missingNow(await readRows());
        while (m.missing && Date.now() < until) {
          await sleep(500);
          m = missingNow(await readRows());
        }
        return m;
      };
      await settle(30_000);
      // One last message in every conversation from its requester: once everyone has it, anything
      // still in flight from the crashes (a late second copy) has arrived too.
      for (const [i, r] of requesters.entries()) {
        const p = { conversationId: convs[i]!, clientMsgId: `${r.name}-final` };
        r.unacked.set(p.clientMsgId, p);
        r.resendAll();
      }
      const lastBy = Date.now() + 30_000;
      while (requesters.some((r) => r.unacked.size) && Date.now() < lastBy) {
        await sleep(500);
        for (const r of requesters) if (r.unacked.size) r.resendAll();
      }
      const missing = await settle(30_000);
      const by = await readRows();

      const detail: string[] = [];
      if (neverAcked) detail.push(`${neverAcked} messages never acked after resending for 60 s`);
      let acked = 0;
      let ackedByRequesters = 0;
      let lost = 0;
      let mismatch = 0;
      const stored = new Map<string, number>();
      for (const [id, rows] of by) for (const r of rows) if (r.client_msg_id) stored.set(`${id}/${r.client_msg_id}`, r.seq);
      for (const t of tabs)
        for (const [clientMsgId, a] of t.acked) {
          acked++;
          if (t.kind === 'requester') ackedByRequesters++;
          const seq = stored.get(`${a.conversationId}/${clientMsgId}`);
          if (seq === undefined) {
            lost++;
            if (detail.length < 20) detail.push(`lost: ${a.conversationId} ${clientMsgId} (acked seq ${a.seq})`);
          } else if (seq !== a.seq) {
            mismatch++;
            if (detail.length < 20) detail.push(`seq mismatch: ${clientMsgId} acked ${a.seq}, stored ${seq}`);
          }
        }
      let dupStored = 0;
      let gaps = 0;
      for (const id of convs) {
        const rows = by.get(id) ?? [];
        const keys = new Map<string, number>();
        for (const r of rows) if (r.client_msg_id) keys.set(`${r.sender}/${r.client_msg_id}`, (keys.get(`${r.sender}/${r.client_msg_id}`) ?? 0) + 1);
        for (const [k, n] of keys)
          if (n > 1) {
            dupStored += n - 1;
            if (detail.length < 20) detail.push(`stored ${n}×: ${id} ${k}`);
          }
        if (rows.some((r, j) => r.seq !== j + 1)) {
          gaps++;
          if (detail.length < 20) detail.push(`seq gap in ${id}: ${rows.map((r) => r.seq).slice(0, 20).join(',')}…`);
        }
      }
      const dupDelivered = tabs.reduce((n, t) => n + t.dupDelivered, 0);
      for (const t of tabs) detail.push(...t.detail.slice(0, 3));
      detail.push(...missing.examples);
      const errors: Record<string, number> = {};
      for (const t of tabs) for (const [k, v] of Object.entries(t.errors)) errors[k] = (errors[k] ?? 0) + v;
      const ready = tabs.flatMap((t) => t.reconnectReady);
      const resumed = tabs.flatMap((t) => t.reconnectResumed);
      const restarts = kills.map((k) => k.restartMs);
      const r0 = (x: number | null) => (x === null ? null : Math.round(x));
      return {
        nodes: N,
        rounds: o.rounds,
        requesters: o.requesters,
        agentSockets: o.agentSockets,
        conversations: convs.length,
        crossFraction: s.crossFraction,
        acked,
        ackedByRequesters,
        ackedByAgents: acked - ackedByRequesters,
        ackedLost: lost,
        ackSeqMismatch: mismatch + (errors.ack_seq_changed ?? 0),
        neverAcked,
        duplicates: dupStored + dupDelivered,
        duplicatesStored: dupStored,
        duplicatesDelivered: dupDelivered,
        replayOverlaps: tabs.reduce((n, t) => n + t.replayOverlaps, 0),
        seqGaps: gaps,
        clientMissing: missing.missing,
        clientOutOfOrder: tabs.reduce((n, t) => n + t.outOfOrder, 0),
        kills,
        reconnects: ready.length,
        reconnectToReadyMsMedian: r0(median(ready)),
        reconnectToReadyMsMax: ready.length ? Math.max(...ready) : null,
        reconnectToResumedMsMedian: r0(median(resumed)),
        reconnectToResumedMsMax: resumed.length ? Math.max(...resumed) : null,
        nodeRestartMsMedian: r0(median(restarts)),
        nodeRestartMsMax: restarts.length ? Math.max(...restarts) : null,
        clientErrors: errors,
        serverLog: serverLog(incarnations),
        detail,
      };
    } finally {
      await store.close();
    }
  } catch (e) {
    log(`cluster crash failed; node logs:\n${incarnations.map((n) => `── ${n.id} pid ${n.pid} ${n.logFile}\n${n.tail(20)}`).join('\n')}`);
    throw e;
  } finally {
    for (const t of tabs) t.close();
    await Promise.all(incarnations.map((n) => n.dispose().catch(() => undefined)));
    await redis?.close();
    await pgc.stop();
  }
}

/** Warn and error lines of every node incarnation's log, counted by message. */
function serverLog(nodes: AjudaNode[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of nodes) countLogLines(n.tail(1_000_000), out);
  return out;
}
