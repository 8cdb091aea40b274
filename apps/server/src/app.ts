import { existsSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import websocket from '@fastify/websocket';
import { createStore, oneAtATime, seedDemoStore, type Store } from '@ajuda/db';
import { AjudaError, containsNul, MAX_PAYLOAD_BYTES } from '@ajuda/protocol';
import { fastifyTrustProxy, type Config } from './config.ts';
import { Cluster } from './cluster/cluster.ts';
import { Leader } from './cluster/leader.ts';
import { Services } from './context.ts';
import { hashPassword } from './crypto.ts';
import { slaTick } from './domains/sla/sla.ts';
import { Gateway } from './gateway/gateway.ts';
import { MemoryHub } from './hub.ts';
import type { SessionState } from './session/port.ts';
import type { RealmDirectory } from './domains/realm/directory.ts';
import { AGENT_COOKIE, httpRoutes } from './http/routes.ts';
import { publicApi } from './api/index.ts';
import { startWebhooks, Webhooks, webhookRoutes } from './webhooks/index.ts';
import { EmailService, startEmail } from './email/index.ts';
import { adminRoutes } from './admin/routes.ts';
import { insightRoutes } from './insights/routes.ts';
import { insightApiRoutes } from './api/v1/insights.ts';
import { attachmentRoutes } from './attachments/routes.ts';
import { alertRoutes } from './alerts/routes.ts';
import { helpRoutes } from './help/routes.ts';
import { DEMO_ARTICLES, importArticles } from './help/import.ts';
import { clientErrorHandler, errorHandler, problem } from './http/problem.ts';
import { loggerOptions, observe } from './observability/index.ts';

export interface BuildOptions {
  /** Seed the demo realm and agents (default: when the demo is enabled). */
  seed?: boolean;
  /** The clock, for tests. */
  now?: () => Date;
  /** Plug in the platform's realm directory instead of the store's tables. */
  directory?: (store: Store) => RealmDirectory;
  logger?: boolean | object;
}

declare module 'fastify' {
  interface FastifyInstance {
    ajuda: { svc: Services; gateway: Gateway; cluster: Cluster | null };
  }
}

/**
 * Build the Ajuda server. It never listens: `server.ts` does, tests use `inject` or listen on
 * port 0. Closing the app drains pending writes and closes the database.
 *
 * @example const app = await buildApp(loadConfig({ AJUDA_DB_FILE: ':memory:' })); await app.listen({ port: 0 });
 */
export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // Credentials and intake answers never reach a log line (observability/logging.ts), whatever logger options are given.
    logger: loggerOptions(config, opts.logger),
    // While closing, observability/probes.ts answers (problem+json; /livez and /readyz keep answering).
    return503OnClosing: false,
    bodyLimit: 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
    // Behind a load balancer, per-client limits (upgrades, logins) key on the address it forwarded (AJUDA_TRUST_PROXY).
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // Every HTTP refusal is a problem+json from the error table, including Fastify's own (bad URL)
    // and the HTTP parser's (malformed request, headers too large).
    frameworkErrors: errorHandler,
    clientErrorHandler,
  });
  app.setErrorHandler(errorHandler);
  // Text never holds U+0000 (see containsNul in @ajuda/protocol): refused before any route reads it.
  app.addHook('preValidation', async (req, reply) => {
    if (req.body && typeof req.body === 'object' && containsNul(req.body)) return problem(reply, 'bad_request', 'text may not contain U+0000 (NUL)');
  });
  app.setNotFoundHandler((_req, reply) => problem(reply, 'not_found'));
  const store = await createStore(config.databaseUrl ?? config.dbFile, {
    synchronous: config.synchronous,
    busyTimeoutMs: config.busyTimeoutMs,
    poolMax: config.pgPoolMax,
    migrate: config.migrate,
    onCheckpointFallback: (reason) => app.log.warn({ reason }, 'background WAL checkpointer lost: checkpoints run inside commits again'),
    onError: (err) => app.log.warn({ err }, 'an idle database connection failed; the next command reconnects'),
  });
  // The demo's data and help-centre articles (apps/demo/articles): idempotent, and written by one process at a
  // time when several start together on one database (an unchanged file writes nothing).
  if (opts.seed ?? config.demo.enabled) {
    await seedDemoStore(store, hashPassword);
    await oneAtATime(store, 'demo-articles', () => importArticles(store, DEMO_ARTICLES, 'demo', new Date().toISOString()));
  }
  const hub = new MemoryHub<SessionState>();
  const svc = new Services(config, store, hub, app.log, opts.now, opts.directory?.(store));
  await svc.slaTiers.start();
  const gateway = new Gateway(svc);
  // Cluster mode: hints between processes, shared presence and limits (see cluster/cluster.ts).
  const cluster = config.cluster && config.databaseUrl ? new Cluster(svc, gateway, config.cluster, config.databaseUrl) : null;
  if (cluster) {
    await cluster.start();
    gateway.sharedStarts = (ownerKey) => cluster.takeStart(ownerKey);
  }
  app.decorate('ajuda', { svc, gateway, cluster });
  // /livez, /readyz and the drain; metrics and their listener when AJUDA_METRICS_ADDR is set.
  const observeSocket = observe(app, svc, gateway);

  await app.register(cookie);
  await app.register(rateLimit, {
    global: false,
    // Cluster mode: logins and upgrades per client address counted across processes.
    ...(cluster ? { store: cluster.httpLimitStore() } : {}),
    // Thrown by the limiter and answered by the error handler: `rate_limited` with `retryAfter` seconds.
    errorResponseBuilder: (_req, ctx) =>
      Object.assign(new AjudaError(ctx.ban ? 'forbidden' : 'rate_limited', undefined, ctx.ban ? {} : { retryAfter: Math.max(1, Math.ceil(ctx.ttl / 1000)) }), { statusCode: ctx.statusCode }),
  });
  await app.register(websocket, {
    options: { maxPayload: MAX_PAYLOAD_BYTES },
    // Before the listener closes (it waits for every socket): each socket is told why (`session.ended`
    // `shutdown`, 1001) and, past a short grace, dropped, so a restart is not held by a frozen tab.
    async preClose(this: FastifyInstance) {
      await gateway.shutdown();
      this.websocketServer.close();
    },
  });

  const own = new URL(config.publicUrl).origin;
  const wsOwn = own.replace(/^http/, 'ws');
  const hostOrigins = [...new Set([...config.origins.platform, ...config.origins.login, ...config.origins.website])];

  // Cross-site WebSocket hijacking: the Origin is checked before the upgrade.
  for (const [path, endpoint] of [['/ws', 'requester'], ['/ws/agent', 'agent']] as const) {
    app.route({
      method: 'GET',
      url: path,
      config: { rateLimit: { max: config.limits.upgradesPerMinute, timeWindow: 60_000 } },
      preValidation: async (req, reply) => {
        if (!gateway.originAllowed(endpoint, req.headers.origin)) return problem(reply, 'origin_not_allowed');
      },
      // A plain GET (no upgrade) is refused like any other HTTP request: as a problem.
      handler: async (_req, reply) => problem(reply, 'upgrade_required'),
      wsHandler: (socket, req) => {
        observeSocket(socket);
        gateway.attach(socket, req.raw, endpoint, endpoint === 'agent' ? (req.cookies[AGENT_COOKIE] ?? null) : null);
      },
    });
  }

  await httpRoutes(app, svc, gateway);
  // Attachments: uploads, downloads, thumbnails (attachments/routes.ts).
  await attachmentRoutes(app, svc);
  // Administration: agents, teams, canned replies, SLA tiers, the realm directory (admin/routes.ts).
  await adminRoutes(app, svc);
  // Search, Reports and the team overview for the console (insights/routes.ts).
  await insightRoutes(app, svc);
  // Each agent's alert preferences (alerts/routes.ts).
  await alertRoutes(app, svc);
  // The help centre: the widget's articles and search, the console's editor (help/routes.ts).
  await helpRoutes(app, svc);
  // The public REST API (/api/v1, its OpenAPI document and /api/docs).
  const webhooks = new Webhooks(svc, config.cluster?.nodeId ?? 'local');
  await publicApi(app, svc, [webhookRoutes(svc, webhooks), insightApiRoutes(svc)]);

  // Static bundles. The widget document may be framed only by the allowed host origins.
  // One policy for both documents; only who may frame them differs.
  const csp = (frameAncestors: string) =>
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      `connect-src 'self' ${wsOwn}`,
      "img-src 'self' data: blob:",
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      `frame-ancestors ${frameAncestors}`,
    ].join('; ');
  const widgetCsp = csp(hostOrigins.length ? hostOrigins.join(' ') : "'none'");
  const consoleCsp = csp("'none'");
  const mounts: Array<{ prefix: string; dir: string; csp: string | null; what: string }> = [
    { prefix: '/widget/frame/', dir: config.staticDirs.widget, csp: widgetCsp, what: 'the widget' },
    { prefix: '/console/', dir: config.staticDirs.console, csp: consoleCsp, what: 'the console' },
    { prefix: '/widget/', dir: config.staticDirs.loader, csp: null, what: 'the widget loader' },
  ];
  let decorated = false;
  for (const m of mounts) {
    if (!existsSync(m.dir)) {
      app.get(`${m.prefix}*`, async (_req, reply) => problem(reply, 'unavailable', `${m.what} is not built: run pnpm build`));
      continue;
    }
    await app.register(fastifyStatic, {
      root: m.dir,
      prefix: m.prefix,
      decorateReply: !decorated,
      wildcard: true,
      index: ['index.html'],
      setHeaders(res, path) {
        const r = { setHeader: (name: string, value: string) => void res.header(name, value) };
        r.setHeader('X-Content-Type-Options', 'nosniff');
        r.setHeader('Referrer-Policy', 'no-referrer');
        if (m.csp && path.endsWith('.html')) r.setHeader('Content-Security-Policy', m.csp);
        if (m.prefix === '/console/' && path.endsWith('.html')) r.setHeader('X-Frame-Options', 'DENY');
        if (m.prefix === '/widget/') r.setHeader('Access-Control-Allow-Origin', '*');
      },
    });
    decorated = true;
  }
  app.get('/', async (_req, reply) => reply.redirect('/console/'));

  // One process runs the SLA ticker (R10): the leader; on SQLite, the only process.
  const node = config.cluster?.nodeId;
  const leader = new Leader(
    store,
    'sla',
    Math.max(1000, Math.min(config.slaTickMs, 5000)),
    (leading) => {
      if (node) app.log[leading ? 'info' : 'warn']({ node, job: 'sla' }, leading ? 'cluster: leader' : 'cluster: leadership lost');
    },
    (err) => app.log.warn({ err }, 'leadership attempt failed'),
  );
  leader.start();
  const slaTimer = setInterval(() => {
    if (!leader.leading) return;
    slaTick(svc).catch((err) => app.log.error({ err }, 'sla tick failed'));
  }, config.slaTickMs);
  slaTimer.unref();
  // Uploads no message took expire (AJUDA_UPLOAD_TTL_HOURS): rows and then bytes no row references.
  const sweepTimer = setInterval(() => {
    svc.attachments.sweep().catch((err) => app.log.warn({ err }, 'attachment sweep failed'));
  }, 60_000);
  sweepTimer.unref();

  app.addHook('onClose', async () => {
    clearInterval(slaTimer);
    clearInterval(sweepTimer);
    await leader.close();
    await cluster?.close();
    gateway.close();
    await svc.close();
    await store.close();
  });
  // Email continuity: the outbox's sender, the inbound HTTP endpoint and SMTP listener (email/index.ts).
  // Started after the hook that closes the database, so its own onClose runs first.
  await startEmail(app, svc, new EmailService(svc, config.cluster?.nodeId ?? 'local'));
  // Outgoing webhooks. Started last, so that its onClose (hooks run last-added first) writes what it
  // was handed to the outbox before the database closes.
  await startWebhooks(app, webhooks);
  return app;
}
