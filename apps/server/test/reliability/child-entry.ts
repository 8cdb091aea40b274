// A server entry for the crash tests while `@ajuda/demo` is absent: the same loadConfig →
// buildApp → listen path as src/server.ts, without the demo pages (another port, no state).
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';

const config = loadConfig();
const app = await buildApp(config, { seed: true });
await app.listen({ host: config.host, port: config.port });
const stop = async () => {
  await app.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
