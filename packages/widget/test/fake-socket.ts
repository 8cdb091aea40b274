import type { ClientFrame, ServerFrame } from '@ajuda/protocol';
import type { SocketLike } from '../src/connection.ts';

/** A WebSocket stand-in for tests only: records what the client sends, lets the test play the server. */
export class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: ClientFrame[] = [];
  closed = false;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close(): void {
    this.closed = true;
    this.readyState = 3;
  }
  // ── test side ──
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  /** The server sends a frame (serialized like the real one). */
  push(frame: ServerFrame | Record<string, unknown>): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  pushRaw(data: unknown): void {
    this.onmessage?.({ data });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  ofType<T extends ClientFrame['type']>(type: T): Extract<ClientFrame, { type: T }>[] {
    return this.sent.filter((f) => f.type === type) as Extract<ClientFrame, { type: T }>[];
  }
}

/** Lets queued promise callbacks and microtasks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((r) => setTimeout(r, 0));
}

export function ready(extra: Record<string, unknown> = {}) {
  return {
    type: 'session.ready',
    v: 1,
    principal: { kind: 'visitor' },
    locale: 'en',
    heartbeatMs: 25_000,
    requestTypes: ['general_question', 'technical_question'],
    ...extra,
  };
}

/** An in-memory Storage (one per simulated browser profile). */
export class MemoryStorage implements Storage {
  private m = new Map<string, string>();
  get length() {
    return this.m.size;
  }
  clear() {
    this.m.clear();
  }
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  key(i: number) {
    return [...this.m.keys()][i] ?? null;
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}
