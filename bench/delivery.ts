// Delivery: the same load generator against Ajuda, the raw `ws` relay and the Socket.IO + SQLite
// baseline. Fixed offered rate (target 5,000 msg/s) for latency, closed loop for saturation.
import { runLoad } from './lib/load.ts';
import type { Phase, PhaseResult, Target } from './lib/loadgen.ts';
import { LIFTED_LIMITS, startServer } from './lib/proc.ts';
import { round } from './lib/stats.ts';

export interface DeliveryOptions {
  quick: boolean;
  log: (s: string) => void;
  /** Write a V8 CPU profile of the Ajuda server here (node --cpu-prof). */
  cpuProfDir?: string;
}

export const OFFERED_RATE = 5000;

async function measure(target: Target, requesters: number, agentSockets: number, phases: Phase[], o: DeliveryOptions, env: Record<string, string> = {}) {
  const server = await startServer(target === 'ajuda' ? 'ajuda' : target, { ...LIFTED_LIMITS, ...env }, target === 'ajuda' && o.cpuProfDir ? { cpuProfDir: o.cpuProfDir } : {});
  try {
    const results = await runLoad({ target, url: server.url, requesters, agentSockets, phases }, { log: o.log });
    const stats = target === 'ajuda' ? await server.ask('stats') : null;
    return { results, stats };
  } finally {
    await server.stop();
  }
}

const byName = (rs: PhaseResult[], name: string) => rs.find((r) => r.name === name)!;

/**
 * Run the delivery benchmark.
 *
 * @example const d = await delivery({ quick: true, log: console.log });
 */
export async function delivery(o: DeliveryOptions) {
  const requesters = o.quick ? 100 : 200;
  // Four demo agents logged in, five sockets each (console tabs): every conversation is opened by one.
  const agentSockets = 20;
  const rateSeconds = o.quick ? 8 : 20;
  const satSeconds = o.quick ? 6 : 15;
  const warmup = o.quick ? 2 : 3;
  const rate: Phase = { name: 'rate', mode: 'rate', rate: OFFERED_RATE, seconds: rateSeconds, warmup };
  const closed: Phase = { name: 'saturation', mode: 'closed', window: 8, seconds: satSeconds, warmup };

  o.log('  delivery: Ajuda (synchronous=FULL)');
  const ajuda = await measure('ajuda', requesters, agentSockets, [rate, closed], o, { AJUDA_SYNCHRONOUS: 'FULL' });
  o.log('  delivery: raw ws relay');
  const raw = await measure('ws-relay', requesters, agentSockets, [closed, rate], o);
  o.log('  delivery: Socket.IO + better-sqlite3 (one commit per message, FULL)');
  const sio = await measure('socketio-sqlite', requesters, agentSockets, [closed, { ...rate, seconds: Math.min(rateSeconds, 8) }], o);

  const a = byName(ajuda.results, 'rate');
  const sat = byName(ajuda.results, 'saturation').deliveredPerSec;
  const rawSat = byName(raw.results, 'saturation').deliveredPerSec;
  const sioSat = byName(sio.results, 'saturation').deliveredPerSec;
  return {
    synchronous: 'FULL' as const,
    connections: requesters + agentSockets,
    requesterSockets: requesters,
    agentSockets,
    offeredPerSec: a.offeredPerSec,
    deliveredPerSec: a.deliveredPerSec,
    p50Ms: a.p50Ms,
    p99Ms: a.p99Ms,
    lateAtOfferedRate: a.late,
    saturationPerSec: sat,
    saturationP99Ms: byName(ajuda.results, 'saturation').p99Ms,
    rawWsSaturationPerSec: rawSat,
    ratioToRawWs: round(sat / rawSat, 3),
    writer: ajuda.stats,
    peers: {
      'ws-relay': { saturationPerSec: rawSat, p99Ms: byName(raw.results, 'rate').p99Ms },
      'socket.io+better-sqlite3': {
        saturationPerSec: sioSat,
        p99Ms: byName(sio.results, 'rate').p99Ms,
        ratio: round(sat / Math.max(1, sioSat), 2),
      },
    },
    phases: { ajuda: ajuda.results, 'ws-relay': raw.results, 'socket.io+better-sqlite3': sio.results },
  };
}
