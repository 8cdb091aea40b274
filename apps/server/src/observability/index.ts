import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { Services } from '../context.ts';
import type { Gateway } from '../gateway/gateway.ts';
import { instrument } from './instrument.ts';
import { probes } from './probes.ts';

export { Metrics, HotCounts, statusClass, type WebhookResult } from './metrics.ts';
export { loggerOptions, redactUrl, REDACT_PATHS, SECRET_KEYS } from './logging.ts';
export { parseListenAddress } from './address.ts';
export { frameType } from './instrument.ts';

/**
 * Wire observability into a server being built: the probes and the drain (always), and — when
 * AJUDA_METRICS_ADDR is set — the metrics feeds and their listener, which starts when the app is
 * ready (so `listen()` fails if its address is taken) and stops when the app closes.
 * Returns what the WebSocket route calls on each new socket (nothing without metrics).
 *
 * Call before the WebSocket plugin is registered (see probes.ts: the drain starts first).
 */
export function observe(app: FastifyInstance, svc: Services, gateway: Gateway): (ws: WebSocket) => void {
  probes(app, svc);
  const cfg = svc.config.metrics;
  if (!cfg) return () => undefined;
  const socket = instrument(app, svc, gateway);
  app.addHook('onReady', async () => {
    await svc.metrics.serve(cfg.host, cfg.port, cfg.token);
    const a = svc.metrics.address;
    app.log.info({ metrics: a && `${a.host}:${a.port}` }, 'metrics listener started');
  });
  app.addHook('onClose', async () => {
    await svc.metrics.close();
  });
  return socket;
}
