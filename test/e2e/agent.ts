// An agent over the agents' WebSocket, for browser tests that need a scripted counterpart: signs in over
// HTTP (the login cookie), says hello, then calls frames and waits for frames by predicate.
import WebSocket from 'ws';

/**
 * @example const lea = await AgentSocket.signIn(stack, 'lea@ajuda.local'); await lea.say(id, 'Hello');
 */
export class AgentSocket {
  private ws!: WebSocket;
  private n = 0;
  readonly frames: Array<Record<string, unknown>> = [];
  private waiters: Array<{ test: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void }> = [];

  static async signIn(stack: { url: string; wsUrl: string }, email: string): Promise<AgentSocket> {
    const res = await fetch(`${stack.url}/api/agent/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: stack.url },
      body: JSON.stringify({ email, password: 'ajuda-demo' }),
    });
    if (res.status !== 200) throw new Error(`agent login ${email}: ${res.status} ${await res.text()}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
    const a = new AgentSocket();
    a.ws = new WebSocket(`${stack.wsUrl}/agent`, { headers: { origin: stack.url, cookie } });
    a.ws.on('message', (d) => {
      const f = JSON.parse(String(d)) as Record<string, unknown>;
      a.frames.push(f);
      a.waiters = a.waiters.filter((w) => (w.test(f) ? (w.resolve(f), false) : true));
    });
    await new Promise((r, j) => a.ws.once('open', r).once('error', j));
    await a.call({ type: 'session.hello', v: 1 });
    return a;
  }

  next(test: (f: Record<string, unknown>) => boolean, ms = 15_000): Promise<Record<string, unknown>> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`agent: no matching frame; got ${this.frames.map((f) => f.type).join(', ')}`)), ms);
      this.waiters.push({ test, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  async call(frame: Record<string, unknown>): Promise<Record<string, unknown>> {
    const ref = `j${++this.n}`;
    const p = this.next((f) => f.ref === ref);
    this.ws.send(JSON.stringify({ ...frame, ref }));
    const reply = await p;
    if (reply.type === 'error') throw new Error(`agent ${String(frame.type)}: ${JSON.stringify(reply)}`);
    return reply;
  }

  /** A frame with no reply of its own (read, resolve). */
  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Reply to the requester. */
  say(conversationId: string, body: string): Promise<Record<string, unknown>> {
    return this.call({ type: 'message.send', conversationId, clientMsgId: `j-${Date.now()}-${++this.n}`, body });
  }

  close(): void {
    this.ws.close();
  }
}
