import { buildDemoApp } from '@ajuda/demo';
import { DEMO_AGENT_PASSWORD, DEMO_AGENTS } from '@ajuda/db';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';

/** A database URL without its password, for the banner and logs. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/** Start Ajuda: the server on PORT (3000) and, in development, the demo host pages on PORT+1. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`ajuda: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  const app = await buildApp(config);
  await app.listen({ host: config.host, port: config.port });
  let demo: Awaited<ReturnType<typeof buildDemoApp>> | null = null;
  if (config.demo.enabled) {
    const key = config.identityKeys[0]!;
    demo = await buildDemoApp({ ajudaOrigin: new URL(config.publicUrl).origin, identity: { kid: key.kid, secret: key.secret }, logger: false });
    await demo.listen({ host: config.host, port: config.demo.port });
  }
  const lines = [
    '',
    `  Ajuda is running (${config.env}, ${config.databaseUrl ? `PostgreSQL at ${redactUrl(config.databaseUrl)}` : `SQLite at ${config.dbFile}`}, synchronous=${config.synchronous})`,
    `  Agent console   ${config.publicUrl}/console/`,
    `  Widget loader   ${config.publicUrl}/widget/loader.js`,
  ];
  if (demo) {
    const d = `http://localhost:${config.demo.port}`;
    lines.push(
      `  Demo pages      ${d}/  (platform app: ${d}/platform, login page: ${d}/login, marketing site: ${d}/site)`,
      `  Demo agents     ${DEMO_AGENTS.map((a) => `${a.email} (${a.role}, ${a.languages.join('/')})`).join(', ')}`,
      `  Demo password   ${DEMO_AGENT_PASSWORD}`,
    );
  }
  console.log(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: draining writes');
    await demo?.close();
    await app.close(); // drains pending group commits, then closes the database
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

void main();
