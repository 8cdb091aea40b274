import type { FrameToHost, HostToFrame, WithoutNs } from '@ajuda/protocol';
import { BRIDGE_NS, parseHostMessage } from './guards.ts';

/**
 * The frame side of the iframe ↔ host bridge (DESIGN habit 9).
 *
 * Sends with targetOrigin pinned to the host origin from the iframe URL, never '*'. Accepts a message
 * only when `event.origin` equals that origin, `event.source` is `window.parent`, and the data has
 * the shape of a HostToFrame message (guards.ts, held equal to the protocol's schema by the tests);
 * anything else is dropped silently.
 *
 * @example
 *   const bridge = new FrameBridge({ win: window, hostOrigin, onMessage });
 *   bridge.start(); bridge.post({ type: 'frame.ready' });
 */
export interface FrameBridgeOptions {
  win: Window;
  hostOrigin: string;
  /** Shape check of what the host sends; the widget's guard unless a test passes another. */
  parse?: (data: unknown) => HostToFrame | null;
  onMessage: (msg: HostToFrame) => void;
}

export class FrameBridge {
  private readonly listener = (ev: MessageEvent) => this.receive(ev);

  constructor(private readonly opts: FrameBridgeOptions) {}

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
    parent.postMessage({ ...message, ajuda: BRIDGE_NS }, this.opts.hostOrigin);
  }

  private receive(ev: MessageEvent): void {
    // Origin AND source: another frame on the same host origin must not be able to speak for the host.
    if (ev.origin !== this.opts.hostOrigin) return;
    if (ev.source !== this.opts.win.parent || ev.source === this.opts.win) return;
    const msg = (this.opts.parse ?? parseHostMessage)(ev.data);
    if (msg) this.opts.onMessage(msg);
  }
}
