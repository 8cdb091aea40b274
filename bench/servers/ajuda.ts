// Bench-only startup of the real Ajuda server: buildApp with the demo agents seeded, no demo
// pages, Fastify's logger off (BENCH_SERVER_LOG=<file> writes warn and error lines there).
// Configuration comes from the environment exactly as server.ts reads it (PORT,
// AJUDA_SYNCHRONOUS, the limit variables…); the database lives in a temp dir.
import { join } from 'node:path';
import { buildApp } from '../../apps/server/src/app.ts';
import { loadConfig } from '../../apps/server/src/config.ts';
import { onStop, ready, serveIpc } from './ipc.ts';

const dir = process.env.BENCH_DIR_TMP!;
const config = loadConfig({ AJUDA_DB_FILE: join(dir, 'ajuda.db'), AJUDA_PUBLIC_URL: `http://127.0.0.1:${process.env.PORT}`, ...process.env }, dir);
const logFile = process.env.BENCH_SERVER_LOG;
const app = await buildApp(config, { seed: true, logger: logFile ? { level: 'warn', file: logFile } : false });
await app.listen({ host: '127.0.0.1', port: config.port });
serveIpc({
  stats: async () => {
    const w = await app.ajuda.svc.store.stats();
    return { batches: w.batches, writes: w.writes, meanBatch: Math.round(w.writes / Math.max(1, w.batches)), maxBatch: w.maxBatch, conns: app.ajuda.gateway.conns.size, checkpoints: w.checkpoints };
  },
});
onStop(() => app.close());
ready(config.port);
