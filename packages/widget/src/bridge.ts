import type { BRIDGE_NS, FrameToHost, HostToFrame, WithoutNs } from '@ajuda/protocol';

/**
 * The frame side of the iframe ↔ host bridge (DESIGN habit 9).
 *
 * Sends with targetOrigin pinned to the host origin from the iframe URL, never '*'. Accepts a message
 * only when `event.origin` equals that origin, `event.source` is `window.parent`, and the data parses
 * with the protocol's HostToFrame schema; anything else is dropped silently.
 *
 * @example
 *   const bridge = new FrameBridge({ win: window, hostOrigin, parse: codec.parseHostMessage, onMessage });
 *   bridge.start(); bridge.post({ type: 'frame.ready' });
 */
export interface FrameBridgeOptions {
  win: Window;
  hostOrigin: string;
  /** HostToFrame.safeParse, from the lazily loaded codec (or a promise of it). */
  parse: ((data: unknown) => HostToFrame | null) | Promise<(data: unknown) => HostToFrame | null>;
  onMessage: (msg: HostToFrame) => void;
}

const NS: typeof BRIDGE_NS = 1;

export class FrameBridge {
  private parse: ((data: unknown) => HostToFrame | null) | null = null;
  private queue: unknown[] = [];
  private readonly listener = (ev: MessageEvent) => this.receive(ev);

  constructor(private readonly opts: FrameBridgeOptions) {
    if (typeof opts.parse === 'function') this.parse = opts.parse;
    else
      void opts.parse.then((p) => {
        this.parse = p;
        const q = this.queue;
        this.queue = [];
        for (const d of q) this.deliver(d);
      });
  }

  start(): void {
    this.opts.win.addEventListener('message', this.listener);
  }

  stop(): void {
    this.opts.win.removeEventListener('message', this.listener);
  }

  /** Posts to the host page, pinned to its origin. */
  post(message: WithoutNs<FrameToHost>): void {
    const parent = this.opts.win.parent;
    if (!parent || parent === this.opts.win) return; // not embedded (opened directly): nobody to talk to
    parent.postMessage({ ...message, ajuda: NS }, this.opts.hostOrigin);
  }

  private receive(ev: MessageEvent): void {
    // Origin AND source: another frame on the same host origin must not be able to speak for the host.
    if (ev.origin !== this.opts.hostOrigin) return;
    if (ev.source !== this.opts.win.parent || ev.source === this.opts.win) return;
    if (this.parse) this.deliver(ev.data);
    else this.queue.push(ev.data);
  }

  private deliver(data: unknown): void {
    const msg = this.parse?.(data);
    if (msg) this.opts.onMessage(msg);
  }
}
