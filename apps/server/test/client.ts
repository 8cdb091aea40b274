import WebSocket from 'ws';
import { PROTOCOL_VERSION, ServerFrame, type ClientFrame } from '@ajuda/protocol';

type SF = ServerFrame;

/**
 * A test client over a real socket: sends frames, collects every server frame (each one
 * validated against the protocol), and waits on conditions with deferreds, not sleeps.
 */
export class TestClient {
  readonly frames: SF[] = [];
  readonly raw: string[] = [];
  private waiters: Array<{ pred: (f: SF) => boolean; resolve: (f: SF) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }> = [];
  closed: { code: number; reason: string } | null = null;
  private closeWaiters: Array<(c: { code: number; reason: string }) => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      const f = ServerFrame.parse(JSON.parse(text));
      this.frames.push(f);
      for (const w of [...this.waiters]) {
        if (w.pred(f)) {
          clearTimeout(w.timer);
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(f);
        }
      }
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const r of this.closeWaiters.splice(0)) r(this.closed);
    });
  }

  static connect(url: string, origin: string, headers: Record<string, string> = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { origin, headers });
      const c = new TestClient(ws);
      ws.once('open', () => resolve(c));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** Wait for the first frame (already received or future) matching `pred`. */
  wait<T extends SF['type']>(type: T, pred: (f: Extract<SF, { type: T }>) => boolean = () => true, timeoutMs = 10_000, fromIndex = 0): Promise<Extract<SF, { type: T }>> {
    const match = (f: SF) => f.type === type && pred(f as Extract<SF, { type: T }>);
    const found = this.frames.slice(fromIndex).find(match);
    if (found) return Promise.resolve(found as Extract<SF, { type: T }>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout waiting for ${type}; last frames: ${this.raw.slice(-3).join(' | ')}`)), timeoutMs);
      this.waiters.push({ pred: match, resolve: resolve as (f: SF) => void, reject, timer });
    });
  }

  /** Send a frame with a fresh ref and wait for the reply (or error) carrying it. */
  async request<T extends SF['type']>(frame: Record<string, unknown>, type: T, timeoutMs = 10_000): Promise<Extract<SF, { type: T }>> {
    const ref = `r${Math.random().toString(36).slice(2)}`;
    const from = this.frames.length;
    this.send({ ...frame, ref } as ClientFrame);
    const f = await this.waitAny((x) => 'ref' in x && x.ref === ref && (x.type === type || x.type === 'error'), timeoutMs, from);
    if (f.type === 'error' && type !== 'error') throw Object.assign(new Error(`error ${f.code}: ${f.message ?? ''}`), { frame: f });
    return f as Extract<SF, { type: T }>;
  }

  waitAny(pred: (f: SF) => boolean, timeoutMs = 10_000, fromIndex = 0): Promise<SF> {
    const found = this.frames.slice(fromIndex).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timeout; last frames: ${this.raw.slice(-3).join(' | ')}`)), timeoutMs);
      this.waiters.push({ pred, resolve, reject, timer });
    });
  }

  waitClose(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timeout waiting for close')), timeoutMs);
      this.closeWaiters.push((c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

export const V = PROTOCOL_VERSION;

export interface Stackish {
  url: string;
  wsUrl: string;
}

/** Connect and say hello as a requester. */
export async function requester(stack: Stackish, hello: Record<string, unknown> = {}, origin = stack.url): Promise<TestClient> {
  const c = await TestClient.connect(stack.wsUrl, origin);
  await c.request({ type: 'session.hello', v: V, channel: 'website', ...hello }, 'session.ready');
  return c;
}

/** Log an agent in over HTTP and connect its socket with the session cookie. */
export async function agent(stack: Stackish, email: string, password = 'ajuda-demo'): Promise<TestClient & { token: string }> {
  const res = await fetch(`${stack.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const token = cookie.split('=')[1]!;
  const c = await TestClient.connect(`${stack.wsUrl}/agent`, stack.url, { cookie });
  await c.request({ type: 'session.hello', v: V }, 'session.ready');
  return Object.assign(c, { token });
}

export const GENERAL = (q = 'How do I configure retries?') => ({ question: q });

let n = 0;
export const idem = () => `idem-${Date.now()}-${n++}-${Math.random().toString(36).slice(2, 8)}`;
