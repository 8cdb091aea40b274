// Persistence: acked messages per second through the real write path (WebSocket → validation →
// group commit → ack), many concurrent senders and nobody receiving, under synchronous=FULL and
// NORMAL; and the Socket.IO baseline's one-commit-per-message rate (FULL) for the ratio.
import { runLoad } from './lib/load.ts';
import type { Phase } from './lib/loadgen.ts';
import { LIFTED_LIMITS, startServer } from './lib/proc.ts';
import { round } from './lib/stats.ts';

export async function persistence(o: { quick: boolean; log: (s: string) => void }) {
  const senders = o.quick ? 100 : 200;
  const phase: Phase = { name: 'acked', mode: 'closed', window: 16, seconds: o.quick ? 5 : 12, warmup: o.quick ? 2 : 3 };
  const run = async (kind: 'ajuda' | 'socketio-sqlite', env: Record<string, string>) => {
    const s = await startServer(kind, { ...LIFTED_LIMITS, ...env });
    try {
      const [r] = await runLoad({ target: kind, url: s.url, requesters: senders, agentSockets: 0, phases: [phase] }, { log: o.log });
      const stats = kind === 'ajuda' ? await s.ask('stats') : null;
      return { ...r!, stats };
    } finally {
      await s.stop();
    }
  };
  o.log('  persistence: Ajuda synchronous=FULL');
  const full = await run('ajuda', { AJUDA_SYNCHRONOUS: 'FULL' });
  o.log('  persistence: Ajuda synchronous=NORMAL');
  const normal = await run('ajuda', { AJUDA_SYNCHRONOUS: 'NORMAL' });
  o.log('  persistence: Socket.IO + better-sqlite3, one commit per message (FULL)');
  const sio = await run('socketio-sqlite', { BASELINE_SYNCHRONOUS: 'FULL' });
  return {
    senders,
    ackedPerSecFull: full.ackedPerSec,
    ackedPerSecNormal: normal.ackedPerSec,
    ackP99MsFull: full.ackP99Ms,
    ackP99MsNormal: normal.ackP99Ms,
    socketIoAckedPerSec: sio.ackedPerSec,
    ratioToSocketIo: round(full.ackedPerSec / Math.max(1, sio.ackedPerSec), 1),
    writerFull: full.stats,
    writerNormal: normal.stats,
  };
}
