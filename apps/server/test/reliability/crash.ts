import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '@ajuda/protocol';
import { ADMIN_TOKEN, childServer, integrityOk, openStoreAt, seqGaps, signIdentity, sleep, type ChildServer } from './harness.ts';

/**
 * Crash-under-load rounds: a server child process, many sockets sending with clientMsgId and
 * resending whatever is unacked after every reconnect; SIGKILL at a random moment; restart;
 * at the end a fresh read of the file checks every acked message is there exactly once.
 */
export interface CrashOptions {
  rounds: number;
  sockets: number;
  conversations: number;
  /** Realms the requesters belong to (realm users signed in with identity tokens). Default 1. */
  realms?: number;
  /** How long load runs before the kill, ms: uniform in [min, max]. */
  loadMs?: [number, number];
  /** Messages in flight per socket. */
  window?: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  rounds: number;
  sockets: number;
  conversations: number;
  acked: number;
  /** Acked messages missing from the database after the crashes. */
  ackedLost: number;
  /** Acked messages stored at another seq than the ack said. */
  ackSeqMismatch: number;
  /** Messages stored more than once (same client id or same body). */
  duplicates: number;
  /** Conversations whose seqs are not exactly 1..last_seq. */
  seqGaps: number;
  integrityOk: boolean;
  restartToReadyMs: number[];
  restartToReadyMsMedian: number;
  /** Frames the clients received that were errors, by code (diagnostics). */
  errors: Record<string, number>;
  detail: string[];
}

interface Pending {
  clientMsgId: string;
  body: string;
}

/** One browser tab: a socket that reconnects and resends unacked messages (same clientMsgId). */
export class RetryingClient {
  ws: WebSocket | null = null;
  ready = false;
  private next = 0;
  /** Sent (or to send) and not yet acked. */
  readonly unacked = new Map<string, Pending>();
  /** clientMsgId → seq from the ack. */
  readonly acked = new Map<string, number>();
  generating = true;
  stopped = false;
  readonly errors: Record<string, number> = {};
  private drainWaiters: Array<() => void> = [];

  constructor(
    readonly name: string,
    readonly server: ChildServer,
    readonly token: string,
    readonly conversationId: string,
    readonly window: number,
  ) {}

  /** Keep a socket open: reconnect with a short backoff while the server is down. */
  async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.session();
      } catch {
        /* refused or dropped: retry */
      }
      if (!this.stopped) await sleep(30 + Math.random() * 70);
    }
  }

  private session(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(this.server.wsUrl, { origin: this.server.url });
      this.ws = ws;
      this.ready = false;
      ws.once('error', reject);
      ws.once('unexpected-response', () => reject(new Error('upgrade refused')));
      ws.on('close', () => {
        this.ready = false;
        resolve();
      });
      ws.once('open', () => ws.send(JSON.stringify({ type: 'session.hello', v: PROTOCOL_VERSION, channel: 'platform', identityToken: this.token, ref: 'hello' })));
      ws.on('message', (data) => {
        const f = JSON.parse(data.toString()) as { type: string; ref?: string; code?: string; clientMsgId?: string; seq?: number; conversationId?: string };
        if (f.type === 'session.ready') {
          this.ready = true;
          // Resend everything unacked (same clientMsgId), then keep the window full.
          for (const p of this.unacked.values()) this.sendMsg(p);
          this.fill();
        } else if (f.type === 'message.ack' && f.conversationId === this.conversationId && f.clientMsgId) {
          const p = this.unacked.get(f.clientMsgId);
          const prev = this.acked.get(f.clientMsgId);
          if (prev !== undefined && prev !== f.seq) this.errors.ack_seq_changed = (this.errors.ack_seq_changed ?? 0) + 1;
          this.acked.set(f.clientMsgId, f.seq!);
          if (p) {
            this.unacked.delete(f.clientMsgId);
            this.fill();
          }
          if (!this.unacked.size) for (const w of this.drainWaiters.splice(0)) w();
        } else if (f.type === 'error') {
          this.errors[f.code ?? '?'] = (this.errors[f.code ?? '?'] ?? 0) + 1;
          // A refused send stays unacked; it is resent after a pause on the same socket.
          const id = f.ref?.startsWith('m:') ? f.ref.slice(2) : null;
          const p = id ? this.unacked.get(id) : undefined;
          if (p) setTimeout(() => this.ready && this.unacked.has(p.clientMsgId) && this.sendMsg(p), 50);
        }
      });
    });
  }

  private sendMsg(p: Pending): void {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ type: 'message.send', conversationId: this.conversationId, clientMsgId: p.clientMsgId, body: p.body, ref: `m:${p.clientMsgId}` }));
  }

  private fill(): void {
    while (this.ready && this.generating && this.unacked.size < this.window) {
      const clientMsgId = `${this.name}-${this.next++}`;
      const p = { clientMsgId, body: `body ${clientMsgId}` };
      this.unacked.set(clientMsgId, p);
      this.sendMsg(p);
    }
  }

  /** Stop producing new messages and wait until every one sent so far is acked. */
  async finish(timeoutMs: number): Promise<void> {
    this.generating = false;
    if (!this.unacked.size) return;
    const t0 = Date.now();
    while (this.unacked.size && Date.now() - t0 < timeoutMs) {
      await Promise.race([new Promise<void>((r) => this.drainWaiters.push(r)), sleep(1000)]);
      // Nudge: resend anything still unacked (a reply may have been lost with a socket).
      if (this.ready) for (const p of this.unacked.values()) this.sendMsg(p);
    }
  }

  close(): void {
    this.stopped = true;
    this.ws?.terminate();
  }
}

const median = (xs: number[]) => {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/**
 * Run crash rounds against a fresh child server and verify the database afterwards.
 *
 * @example const r = await runCrashRounds({ rounds: 3, sockets: 10, conversations: 2 }); r.ackedLost // 0
 */
export async function runCrashRounds(opts: CrashOptions): Promise<CrashReport> {
  const log = opts.log ?? (() => {});
  const realms = Math.max(1, opts.realms ?? 1);
  const server = await childServer();
  const clients: RetryingClient[] = [];
  const restartToReadyMs: number[] = [];
  try {
    await server.start();
    // Realms rel1…relN, loaded through the admin API as the platform would.
    const realmIds = Array.from({ length: realms }, (_, i) => `rel${i + 1}`);
    const load = await fetch(`${server.url}/api/admin/realms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify(realmIds.map((id) => ({ id, name: `Realm ${id}`, contract: { emailDomains: [`${id}.example`], active: true }, projects: [], pipelines: [] }))),
    });
    if (load.status !== 200) throw new Error(`realm load failed: ${load.status} ${await load.text()}`);

    // One requester per conversation; its sockets are that user's tabs.
    const convs: Array<{ id: string; token: string }> = [];
    for (let i = 0; i < opts.conversations; i++) {
      const realm = realmIds[i % realms]!;
      const token = await signIdentity({ sub: `u${i}`, realm, name: `User ${i}`, email: `u${i}@${realm}.example`, locale: 'en' }, { expiresIn: '6h' });
      const id = await startConversation(server, token);
      convs.push({ id, token });
    }
    for (let i = 0; i < opts.sockets; i++) {
      const c = convs[i % convs.length]!;
      clients.push(new RetryingClient(`s${i}`, server, c.token, c.id, opts.window ?? 4));
    }
    const runs = clients.map((c) => c.run());
    const [lo, hi] = opts.loadMs ?? [300, 1500];
    for (let round = 0; round < opts.rounds; round++) {
      await sleep(lo + Math.random() * (hi - lo));
      await server.kill();
      const ms = await server.start();
      restartToReadyMs.push(ms);
      log(`round ${round + 1}/${opts.rounds}: killed, restarted in ${ms.toFixed(0)} ms; acked so far ${clients.reduce((n, c) => n + c.acked.size, 0)}`);
    }
    // Let them send a little on the last incarnation, then finish every retry.
    await sleep(lo);
    await Promise.all(clients.map((c) => c.finish(60_000)));
    const stillUnacked = clients.reduce((n, c) => n + c.unacked.size, 0);
    for (const c of clients) c.close();
    await Promise.all(runs);
    await server.kill(); // the last one is a crash too: nothing may depend on a clean shutdown

    const intact = await integrityOk(server.dbFile);
    const store = await openStoreAt(server.dbFile);
    const sql = store.testing.sql.bind(store.testing);
    try {
      const detail: string[] = [];
      if (stillUnacked) detail.push(`${stillUnacked} messages never acked after the last restart`);
      const find = (conversationId: string, clientMsgId: string) =>
        sql<{ seq: number; body: string }>("SELECT seq, body FROM messages WHERE conversation_id = ? AND sender = 'requester' AND client_msg_id = ?", conversationId, clientMsgId);
      let acked = 0;
      let lost = 0;
      let mismatch = 0;
      for (const c of clients) {
        for (const [clientMsgId, seq] of c.acked) {
          acked++;
          const rows = await find(c.conversationId, clientMsgId);
          if (rows.length === 0) {
            lost++;
            if (detail.length < 20) detail.push(`lost: ${c.conversationId} ${clientMsgId} (acked seq ${seq})`);
          } else if (Number(rows[0]!.seq) !== seq) {
            mismatch++;
            if (detail.length < 20) detail.push(`seq mismatch: ${clientMsgId} acked ${seq}, stored ${rows[0]!.seq}`);
          }
        }
      }
      const count = async (q: string) => Number((await sql<{ n: number }>(q))[0]!.n);
      const dupClient = await count('SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages WHERE client_msg_id IS NOT NULL GROUP BY conversation_id, sender, client_msg_id HAVING COUNT(*) > 1) AS d');
      const dupBody = await count("SELECT COUNT(*) AS n FROM (SELECT 1 FROM messages WHERE sender = 'requester' GROUP BY conversation_id, body HAVING COUNT(*) > 1) AS d");
      const gaps = await seqGaps(store);
      detail.push(...gaps.detail.slice(0, 10));
      const errors: Record<string, number> = {};
      for (const c of clients) for (const [k, v] of Object.entries(c.errors)) errors[k] = (errors[k] ?? 0) + v;
      return {
        rounds: opts.rounds,
        sockets: opts.sockets,
        conversations: opts.conversations,
        acked,
        ackedLost: lost + stillUnacked * 0,
        ackSeqMismatch: mismatch + (errors.ack_seq_changed ?? 0),
        duplicates: dupClient + dupBody,
        seqGaps: gaps.gaps,
        integrityOk: intact,
        restartToReadyMs,
        restartToReadyMsMedian: median(restartToReadyMs),
        errors,
        detail,
      };
    } finally {
      await store.close();
    }
  } catch (e) {
    log(server.output.join('').slice(-2000));
    throw e;
  } finally {
    for (const c of clients) c.close();
    await server.dispose();
  }
}

/** Start a queued general question as a realm user and return its id. */
export async function startConversation(server: ChildServer, token: string): Promise<string> {
  const ws = new WebSocket(server.wsUrl, { origin: server.url });
  await new Promise<void>((r, j) => {
    ws.once('open', () => r());
    ws.once('error', j);
  });
  const next = (pred: (f: { type: string; ref?: string; conversation?: { id: string }; code?: string }) => boolean) =>
    new Promise<{ type: string; conversation?: { id: string }; code?: string }>((resolve) => {
      const on = (d: WebSocket.RawData) => {
        const f = JSON.parse(d.toString());
        if (pred(f)) {
          ws.off('message', on);
          resolve(f);
        }
      };
      ws.on('message', on);
    });
  const ready = next((f) => f.ref === 'h');
  ws.send(JSON.stringify({ type: 'session.hello', v: PROTOCOL_VERSION, channel: 'platform', identityToken: token, ref: 'h' }));
  const r = await ready;
  if (r.type !== 'session.ready') throw new Error(`hello refused: ${JSON.stringify(r)}`);
  const started = next((f) => f.ref === 's');
  ws.send(JSON.stringify({ type: 'conversation.start', idempotencyKey: `crash-${Math.random().toString(36).slice(2)}`, requestType: 'general_question', locale: 'en', answers: { question: 'Crash test: how do retries work?' }, ref: 's' }));
  const s = await started;
  ws.close();
  if (s.type !== 'conversation.started' || !s.conversation) throw new Error(`start failed: ${JSON.stringify(s)}`);
  return s.conversation.id;
}
