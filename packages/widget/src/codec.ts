// The validating half of the protocol, loaded with a dynamic import: zod and every schema weigh more
// than the whole first screen, so they travel in their own chunk fetched in parallel with the socket.
import { PROTOCOL_VERSION, ServerFrame, parseHostToFrame } from '@ajuda/protocol';
import type { Codec } from './connection.ts';

/** @example const codec = (await import('./codec.ts')).codec; codec.parseServerFrame(JSON.parse(raw)) */
export const codec: Codec = {
  version: PROTOCOL_VERSION,
  parseServerFrame(data) {
    const r = ServerFrame.safeParse(data);
    return r.success ? r.data : null;
  },
  parseHostMessage: parseHostToFrame,
};
