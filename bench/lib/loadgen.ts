// The load generator. It runs in its OWN process (forked by bench/lib/load.ts), so the server
// under test and the clients never share an event loop. Loopback only; every phase is bounded
// in time and the parent kills the process if it overruns.
//
// N requester sockets each get one conversation; A agent sockets each open N/A of them. Requesters
// send `message.send`; the send time travels in the body, so the latency is requester send →
// agent receives `message.created`, both clocks in this process.
import WebSocket from 'ws';
import { io as ioClient, type Socket } from 'socket.io-client';
import { nowMs, quantile, round, sleep } from './stats.ts';

export type Target = 'ajuda' | 'ws-relay' | 'socketio-sqlite';
export type Phase =
  | { name: string; mode: 'rate'; rate: number; seconds: number; warmup: number }
  | { name: string; mode: 'closed'; window: number; seconds: number; warmup: number };
export interface LoadJob {
  target: Target;
  url: string;
  requesters: number;
  /** 0: nobody receives (persistence runs measure acks only). */
  agentSockets: number;
  phases: Phase[];
  bodyChars?: number;
  /**
   * Ajuda only: the sockets spread over several nodes of one cluster (one database). Requester i
   * connects to `urls[requesterNode[i]]`, agent socket k to `urls[agentNode[k]]`, and conversation
   * i is opened by agent socket `agentOf[i]`. Without it every socket goes to `url` and
   * conversation i is opened by agent socket i % agentSockets. The agents log in at `url`.
   */
  nodes?: { urls: string[]; requesterNode: number[]; agentNode: number[]; agentOf: number[] };
}
/** The measuring window of a phase starts or ends (sent to the parent as it happens). */
export type Mark = { phase: string; at: 'window-start' | 'window-end' };
export interface PhaseResult {
  name: string;
  mode: Phase['mode'];
  seconds: number;
  offeredPerSec: number;
  ackedPerSec: number;
  deliveredPerSec: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  ackP50Ms: number | null;
  ackP99Ms: number | null;
  /** Messages sent in the window that were not delivered (or, with no agents, not acked) by the end of the drain. */
  late: number;
  errors: number;
  /** Rate mode: sends skipped because more than 3 s of traffic was outstanding. */
  throttled: number;
}

interface Hooks {
  ack(pair: number, clientMsgId: string): void;
  deliver(body: string): void;
  error(): void;
}
interface Endpoint {
  send(pair: number, clientMsgId: string, body: string): void;
  close(): void;
}

const AGENT_EMAILS = ['joao@ajuda.local', 'emma@ajuda.local', 'sofia@ajuda.local', 'lea@ajuda.local'];

async function inBatches<T>(n: number, size: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, k) => fn(i + k)))));
  return out;
}

function openWs(url: string, origin: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(url, { origin, headers, perMessageDeflate: false });
    ws.once('open', () => res(ws));
    ws.once('unexpected-response', (_q, r) => rej(new Error(`upgrade refused: ${r.statusCode}`)));
    ws.once('error', rej);
  });
}

/** Send one frame and wait for the reply carrying its ref (setup only). */
function request(ws: WebSocket, frame: Record<string, unknown>, type: string): Promise<Record<string, unknown>> {
  const ref = `s${Math.random().toString(36).slice(2)}`;
  return new Promise((res, rej) => {
    const t = setTimeout(() => {
      ws.off('message', on);
      rej(new Error(`timeout waiting for ${type}`));
    }, 30_000);
    const on = (d: WebSocket.RawData) => {
      const f = JSON.parse(d.toString()) as Record<string, unknown>;
      if (f.ref !== ref) return;
      clearTimeout(t);
      ws.off('message', on);
      if (f.type === type) res(f);
      else rej(new Error(`${type}: got ${JSON.stringify(f).slice(0, 300)}`));
    };
    ws.on('message', on);
    ws.send(JSON.stringify({ ...frame, ref }));
  });
}

async function setupAjuda(job: LoadJob, h: Hooks): Promise<Endpoint> {
  const { url, nodes } = job;
  const requesterUrl = (i: number) => (nodes ? nodes.urls[nodes.requesterNode[i]!]! : url);
  const agentUrl = (k: number) => (nodes ? nodes.urls[nodes.agentNode[k]!]! : url);
  const agentOf = (i: number) => (nodes ? nodes.agentOf[i]! : i % job.agentSockets);
  const ws$ = (u: string) => u.replace(/^http/, 'ws');
  const cookies: string[] = [];
  if (job.agentSockets > 0)
    for (const email of AGENT_EMAILS) {
      const r = await fetch(`${url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'ajuda-demo' }) });
      if (r.status !== 200) throw new Error(`login ${email}: ${r.status}`);
      cookies.push(r.headers.get('set-cookie')!.split(';')[0]!);
    }
  const agents = await inBatches(job.agentSockets, 25, async (k) => {
    const ws = await openWs(`${ws$(agentUrl(k))}/ws/agent`, agentUrl(k), { cookie: cookies[k % cookies.length]! });
    await request(ws, { type: 'session.hello', v: 1 }, 'session.ready');
    ws.on('message', (d) => {
      const s = d.toString();
      // Agents also get inbox rows; only messages are parsed.
      if (s.includes('"message.created"')) {
        const f = JSON.parse(s) as { message: { body: string; sender: { role: string } } };
        if (f.message.sender.role === 'requester') h.deliver(f.message.body);
      } else if (s.includes('"type":"error"')) h.error();
    });
    return ws;
  });
  const convs: string[] = [];
  const requesters = await inBatches(job.requesters, 25, async (i) => {
    const ws = await openWs(`${ws$(requesterUrl(i))}/ws`, requesterUrl(i));
    await request(ws, { type: 'session.hello', v: 1, channel: 'website', locale: 'en' }, 'session.ready');
    const started = await request(
      ws,
      { type: 'conversation.start', idempotencyKey: `bench-${i}-${Date.now()}`, requestType: 'general_question', locale: 'en', answers: { question: 'How do I configure retries for the orders pipeline?' } },
      'conversation.started',
    );
    const id = (started.conversation as { id: string; status: string }).id;
    convs[i] = id;
    ws.on('message', (d) => {
      const s = d.toString();
      if (s.includes('"message.ack"')) {
        const f = JSON.parse(s) as { clientMsgId: string };
        h.ack(i, f.clientMsgId);
      } else if (s.includes('"type":"error"')) h.error();
    });
    return ws;
  });
  if (job.agentSockets > 0) {
    await inBatches(job.requesters, 25, async (i) => {
      await request(agents[agentOf(i)]!, { type: 'conversation.open', conversationId: convs[i] }, 'conversation.snapshot');
    });
  }
  return {
    send(pair, clientMsgId, body) {
      requesters[pair]!.send(`{"type":"message.send","conversationId":"${convs[pair]}","clientMsgId":"${clientMsgId}","body":"${body}"}`);
    },
    close() {
      for (const ws of [...requesters, ...agents]) ws.terminate();
    },
  };
}

async function setupRelay(job: LoadJob, h: Hooks): Promise<Endpoint> {
  const wsUrl = job.url.replace(/^http/, 'ws');
  const agents = await inBatches(job.agentSockets, 50, async (k) => {
    const ws = await openWs(`${wsUrl}/?role=a&agent=${k}`, job.url);
    ws.on('message', (d) => h.deliver((JSON.parse(d.toString()) as { message: { body: string } }).message.body));
    return ws;
  });
  const requesters = await inBatches(job.requesters, 50, async (i) => {
    const ws = await openWs(`${wsUrl}/?role=r&agent=${job.agentSockets ? i % job.agentSockets : -1}`, job.url);
    ws.on('message', (d) => h.ack(i, (JSON.parse(d.toString()) as { clientMsgId: string }).clientMsgId));
    return ws;
  });
  return {
    send(pair, clientMsgId, body) {
      requesters[pair]!.send(`{"type":"message.send","conversationId":"c${pair}","clientMsgId":"${clientMsgId}","body":"${body}"}`);
    },
    close() {
      for (const ws of [...requesters, ...agents]) ws.terminate();
    },
  };
}

async function setupSocketIo(job: LoadJob, h: Hooks): Promise<Endpoint> {
  const connect = (query: Record<string, string>) =>
    new Promise<Socket>((res, rej) => {
      const s = ioClient(job.url, { transports: ['websocket'], query, reconnection: false, forceNew: true });
      s.once('connect', () => res(s));
      s.once('connect_error', rej);
    });
  const agents = await inBatches(job.agentSockets, 50, async (k) => {
    const s = await connect({ role: 'a', agent: String(k) });
    s.on('message.created', (f: { message: { body: string } }) => h.deliver(f.message.body));
    return s;
  });
  const requesters = await inBatches(job.requesters, 50, (i) => connect({ role: 'r', agent: String(job.agentSockets ? i % job.agentSockets : -1) }));
  return {
    send(pair, clientMsgId, body) {
      requesters[pair]!.emit('message.send', { conversationId: `c${pair}`, clientMsgId, body }, (r: { clientMsgId: string }) => h.ack(pair, r.clientMsgId));
    },
    close() {
      for (const s of [...requesters, ...agents]) s.disconnect();
    },
  };
}

/** Run a job: set up the sockets, run each phase, report each phase's numbers. */
export async function runJob(job: LoadJob, report: (r: PhaseResult) => void = () => {}, mark: (m: Mark) => void = () => {}): Promise<PhaseResult[]> {
  if (job.nodes && job.target !== 'ajuda') throw new Error(`${job.target}: only the ajuda target spreads over several nodes`);
  const pad = 'x'.repeat(Math.max(0, (job.bodyChars ?? 80) - 16));
  // Per-phase state, reset at the start of each measuring window.
  let measuring = false;
  let windowStart = 0;
  let windowEnd = Infinity;
  let sending = false;
  let sent = 0;
  let acked = 0;
  let delivered = 0;
  let ackedInWindow = 0;
  let deliveredInWindow = 0;
  let sentInWindow = 0;
  let deliveredOfWindow = 0;
  let ackedOfWindow = 0;
  let errors = 0;
  let lat: number[] = [];
  let ackLat: number[] = [];
  let onAckSend: ((pair: number) => void) | null = null;
  let counter = 0;

  const hooks: Hooks = {
    ack(pair, id) {
      acked++;
      const t = nowMs();
      const sentAt = Number(id.slice(id.indexOf('_') + 1));
      if (measuring && t >= windowStart && t <= windowEnd) ackedInWindow++;
      if (sentAt >= windowStart && sentAt <= windowEnd) {
        ackedOfWindow++;
        ackLat.push(t - sentAt);
      }
      onAckSend?.(pair);
    },
    deliver(body) {
      delivered++;
      const t = nowMs();
      const sentAt = Number(body.slice(0, body.indexOf(' ')));
      if (measuring && t >= windowStart && t <= windowEnd) deliveredInWindow++;
      if (sentAt >= windowStart && sentAt <= windowEnd) {
        deliveredOfWindow++;
        lat.push(t - sentAt);
      }
    },
    error() {
      errors++;
    },
  };
  const setup = job.target === 'ajuda' ? setupAjuda : job.target === 'ws-relay' ? setupRelay : setupSocketIo;
  const ep = await setup(job, hooks);
  const send = (pair: number) => {
    // Rounded as it travels (to the µs), so the window test here and on receipt see the same instant.
    const t = Number(nowMs().toFixed(3));
    sent++;
    if (t >= windowStart && t <= windowEnd) sentInWindow++;
    ep.send(pair, `m${counter++}_${t.toFixed(3)}`, `${t.toFixed(3)} ${pad}`);
  };
  const results: PhaseResult[] = [];
  for (const ph of job.phases) {
    const start = nowMs();
    windowStart = start + ph.warmup * 1000;
    windowEnd = windowStart + ph.seconds * 1000;
    sentInWindow = ackedInWindow = deliveredInWindow = deliveredOfWindow = ackedOfWindow = errors = 0;
    lat = [];
    ackLat = [];
    measuring = true;
    sending = true;
    // Each mark once, on time or (if the loop got there first) when the sending stops.
    const marks = (['window-start', 'window-end'] as const).map((at) => {
      let done = false;
      const fire = () => {
        if (!done) mark({ phase: ph.name, at });
        done = true;
      };
      const timer = setTimeout(fire, (at === 'window-start' ? windowStart : windowEnd) - nowMs());
      return () => {
        clearTimeout(timer);
        fire();
      };
    });
    let throttled = 0;
    if (ph.mode === 'closed') {
      onAckSend = (pair) => {
        if (sending) send(pair);
      };
      for (let w = 0; w < ph.window; w++) for (let i = 0; i < job.requesters; i++) send(i);
      await sleep(windowEnd - nowMs());
    } else {
      onAckSend = null;
      let rr = 0;
      let due = 0;
      const maxOutstanding = ph.rate * 3;
      while (nowMs() < windowEnd) {
        const target = Math.floor(((nowMs() - start) / 1000) * ph.rate);
        while (due < target) {
          due++;
          if (sent - acked > maxOutstanding) {
            throttled++;
            continue;
          }
          send(rr);
          rr = (rr + 1) % job.requesters;
        }
        await sleep(1);
      }
    }
    sending = false;
    measuring = false;
    for (const settle of marks) settle();
    // Drain: wait (bounded) for what was sent to arrive.
    const drainUntil = nowMs() + 10_000;
    const expectDelivered = job.agentSockets > 0;
    while (nowMs() < drainUntil && (expectDelivered ? delivered < sent : acked < sent)) await sleep(20);
    const got = expectDelivered ? lat : ackLat;
    const ofWindow = expectDelivered ? deliveredOfWindow : ackedOfWindow;
    const late = Math.max(0, sentInWindow - ofWindow);
    // Late messages count as infinitely slow: a percentile they reach is reported as null.
    const withLate = late ? got.concat(new Array<number>(late).fill(Infinity)) : got;
    const r: PhaseResult = {
      name: ph.name,
      mode: ph.mode,
      seconds: ph.seconds,
      offeredPerSec: round(sentInWindow / ph.seconds, 0)!,
      ackedPerSec: round(ackedInWindow / ph.seconds, 0)!,
      deliveredPerSec: round(deliveredInWindow / ph.seconds, 0)!,
      p50Ms: round(quantile(withLate, 0.5), 2),
      p90Ms: round(quantile(withLate, 0.9), 2),
      p99Ms: round(quantile(withLate, 0.99), 2),
      maxMs: round(quantile(withLate, 1), 2),
      ackP50Ms: round(quantile(ackLat, 0.5), 2),
      ackP99Ms: round(quantile(ackLat, 0.99), 2),
      late,
      errors,
      throttled,
    };
    results.push(r);
    report(r);
    await sleep(500);
  }
  ep.close();
  return results;
}

// Forked as a child: take the job from the parent, run it, send the results back.
if (process.send && process.argv[2] === 'child') {
  process.once('message', (job: LoadJob) => {
    runJob(
      job,
      (r) => process.send!({ type: 'phase', r }),
      (m) => process.send!({ type: 'mark', m }),
    )
      .then((results) => process.send!({ type: 'done', results }, () => process.exit(0)))
      .catch((e: Error) => process.send!({ type: 'fail', error: String(e.stack ?? e) }, () => process.exit(1)));
  });
}
