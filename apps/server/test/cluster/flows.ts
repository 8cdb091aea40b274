import { GENERAL, idem, requester, TestClient, V, type Stackish } from '../client.ts';

/**
 * What the cluster tests do over the protocol, on top of apps/server/test/client.ts: start a
 * conversation, send until acked (as the widget's outbox does), and check what one socket holds.
 */

/** A requester's socket with the visitor token it can come back with (on any node). */
export type Requester = TestClient & { visitorToken: string };

/** A website visitor on `node`; pass a visitor token to be the same visitor again (on any node). */
export async function visitor(node: Stackish, visitorToken?: string, locale = 'en'): Promise<Requester> {
  const c = await requester(node, { locale, ...(visitorToken ? { visitorToken } : {}) });
  const ready = c.frames.find((f) => f.type === 'session.ready') as { visitorToken?: string } | undefined;
  const token = ready?.visitorToken ?? visitorToken;
  if (!token) throw new Error('session.ready carried no visitor token');
  return Object.assign(c, { visitorToken: token });
}

/** Start a general question (P4 in the demo policy); returns the conversation id and its status. */
export async function startQuestion(r: TestClient, opts: { key?: string; locale?: string; question?: string } = {}) {
  const started = await r.request(
    { type: 'conversation.start', idempotencyKey: opts.key ?? idem(), requestType: 'general_question', locale: opts.locale ?? 'en', answers: GENERAL(opts.question) },
    'conversation.started',
    20_000,
  );
  return started.conversation;
}

/** An agent's socket on `node` with an existing login cookie (from a login on any node). */
export async function agentSocket(node: Stackish, token: string): Promise<TestClient> {
  const c = await TestClient.connect(`${node.wsUrl}/agent`, node.url, { cookie: `ajuda_agent=${token}` });
  await c.request({ type: 'session.hello', v: V }, 'session.ready');
  return c;
}

/** An agent's hello with a login cookie on `node`: 'ready', or the refusal's error code (or upgrade status). */
export async function agentHello(node: Stackish, token: string): Promise<string> {
  let c: TestClient;
  try {
    c = await TestClient.connect(`${node.wsUrl}/agent`, node.url, { cookie: `ajuda_agent=${token}` });
  } catch (e) {
    return `upgrade ${(e as { status?: number }).status ?? (e as Error).message}`;
  }
  const ref = `h${Math.random().toString(36).slice(2)}`;
  c.send({ type: 'session.hello', v: V, ref });
  const f = await c.waitAny((x) => 'ref' in x && x.ref === ref, 10_000);
  c.close();
  return f.type === 'session.ready' ? 'ready' : f.type === 'error' ? f.code : f.type;
}

/** POST /api/agent/login on `node`; returns the session token of the cookie. */
export async function login(node: Stackish, email: string, password = 'ajuda-demo'): Promise<string> {
  const res = await fetch(`${node.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`login failed on ${node.url}: ${res.status} ${await res.text()}`);
  return res.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!;
}

export interface SendLog {
  /** clientMsgId → seq of its ack. */
  acked: Map<string, number>;
  /** Error codes answered before the ack (then resent with the same clientMsgId). */
  transient: string[];
  /** Sends that got no answer within the request timeout (then resent). */
  timeouts: string[];
}

export const newSendLog = (): SendLog => ({ acked: new Map(), transient: [], timeouts: [] });

/**
 * Send until acked, as the widget's outbox does: the same clientMsgId again after a transient
 * error (`unavailable`, `rate_limited` after its retryAfter) or a request that timed out.
 * Other errors are thrown. Returns the acked seq.
 */
export async function sendUntilAcked(c: TestClient, conversationId: string, clientMsgId: string, log: SendLog, timeoutMs = 10_000): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 50) throw new Error(`${clientMsgId}: not acked after ${attempt} attempts (${log.transient.slice(-3).join(', ')})`);
    try {
      const ack = await c.request({ type: 'message.send', conversationId, clientMsgId, body: `body ${clientMsgId}` }, 'message.ack', timeoutMs);
      log.acked.set(clientMsgId, ack.seq);
      return ack.seq;
    } catch (e) {
      const frame = (e as { frame?: { code?: string; retryAfter?: number } }).frame;
      if (c.closed) throw new Error(`${clientMsgId}: the socket closed (${c.closed.code} ${c.closed.reason})`);
      if (!frame) {
        if (!String((e as Error).message).startsWith('timeout')) throw e;
        log.timeouts.push(clientMsgId);
        continue;
      }
      if (frame.code !== 'unavailable' && frame.code !== 'rate_limited') throw e;
      log.transient.push(frame.code);
      await new Promise((r) => setTimeout(r, frame.code === 'rate_limited' ? Math.min(2000, (frame.retryAfter ?? 1) * 1000) : 100));
    }
  }
}

/** What one socket got of one conversation: message.created seqs (in arrival order) and its own acks. */
export function received(c: TestClient, conversationId: string, afterSeq = 0) {
  const created = c.frames
    .filter((f) => f.type === 'message.created' && f.message.conversationId === conversationId && f.message.seq > afterSeq)
    .map((f) => (f as { message: { seq: number } }).message.seq);
  const acked = c.frames
    .filter((f) => f.type === 'message.ack' && f.conversationId === conversationId && f.seq > afterSeq)
    .map((f) => (f as { seq: number }).seq);
  return { created, acked: [...new Set(acked)] };
}

/**
 * Does this socket hold every message of the conversation from `afterSeq + 1` to `lastSeq` (as
 * message.created, or as the ack of its own send), each delivered once and in seq order? Returns
 * a description of what is wrong, or null.
 */
export function holdsExactlyOnce(c: TestClient, conversationId: string, lastSeq: number, afterSeq = 0): string | null {
  const { created, acked } = received(c, conversationId, afterSeq);
  const dup = created.filter((s, i) => created.indexOf(s) !== i);
  if (dup.length) return `seqs delivered twice: ${[...new Set(dup)].slice(0, 10).join(', ')}`;
  const unordered = created.findIndex((s, i) => i > 0 && s < created[i - 1]!);
  if (unordered >= 0) return `out of order at ${created[unordered - 1]} → ${created[unordered]}`;
  const have = new Set([...created, ...acked]);
  const missing: number[] = [];
  for (let s = afterSeq + 1; s <= lastSeq; s++) if (!have.has(s)) missing.push(s);
  if (missing.length) return `missing ${missing.length} of ${lastSeq - afterSeq}: ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', …' : ''}`;
  const beyond = [...have].filter((s) => s > lastSeq);
  if (beyond.length) return `seqs past the stored last seq ${lastSeq}: ${beyond.slice(0, 5).join(', ')}`;
  return null;
}

/** Resolve `p`, or reject after `ms` naming `what` (for waits on events that have no timeout of their own). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, rej) => {
      t = setTimeout(() => rej(new Error(`timeout after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}
