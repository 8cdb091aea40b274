import { createHmac, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { isTimeZone } from './insights/period.ts';
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { DEFAULT_SLA, type SlaPolicy } from '@ajuda/policy';
import { parseListenAddress } from './observability/address.ts';

/**
 * Configuration, parsed once from the environment with zod. Nothing else reads process.env.
 * Every default works out of the box on SQLite in development (AJUDA_DATABASE_URL switches to
 * PostgreSQL); in production
 * (`AJUDA_ENV=production`) secrets and allow-lists must be configured or the server refuses
 * to start.
 */
export interface IdentityKey {
  kid: string;
  secret: Uint8Array;
}

export interface Config {
  env: 'development' | 'production';
  host: string;
  port: number;
  /** The origin the widget iframe and the console are served from. */
  publicUrl: string;
  dbFile: string;
  /** PostgreSQL instead of the SQLite file (AJUDA_DATABASE_URL, `postgres://…`); null: SQLite. */
  databaseUrl: string | null;
  /** PostgreSQL connection pool size per process. */
  pgPoolMax: number;
  /** Apply pending migrations at start (AJUDA_MIGRATE=off when a release pipeline runs `ajuda migrate`). */
  migrate: boolean;
  /** FULL: an ack means the message survives a crash (SQLite: WAL synced; PostgreSQL: synchronous_commit=on). */
  synchronous: 'FULL' | 'NORMAL';
  /** How long a write waits for a lock held by another process (e.g. a backup) before failing. */
  busyTimeoutMs: number;
  identityKeys: IdentityKey[];
  /** Host-page origins allowed per channel (R1): frame-ancestors, postMessage, direct WebSocket upgrades. */
  origins: { platform: string[]; login: string[]; website: string[] };
  consoleOrigins: string[];
  inboundSecret: string;
  adminToken: string;
  sla: SlaPolicy;
  slaTickMs: number;
  heartbeatMs: number;
  helloTimeoutMs: number;
  agentSessionHours: number;
  limits: {
    framesPerSecond: number;
    frameBurst: number;
    startsPerMinute: number;
    loginPerMinute: number;
    /** Help-centre requests (searches, suggestions, articles) per client address per minute. */
    helpPerMinute: number;
    upgradesPerMinute: number;
    maxReplay: number;
  };
  demo: { enabled: boolean; port: number };
  logLevel: string;
  /**
   * Which proxies in front of the server to believe about the client's address (X-Forwarded-For),
   * as Fastify's `trustProxy`: `false` (the socket's peer is the client), `true` (every hop),
   * a hop count, or a list of proxy addresses/CIDRs. Per-client limits key on the address it yields.
   */
  trustProxy: boolean | number | string[];
  staticDirs: { loader: string; widget: string; console: string };
  /**
   * Prometheus metrics on a listener of their own (AJUDA_METRICS_ADDR, `host:port`), never on the
   * public one; with `token` (AJUDA_METRICS_TOKEN) a scrape must send `Authorization: Bearer <token>`.
   * null: no metrics listener.
   */
  metrics: { host: string; port: number; token: string | null } | null;
  /** The public API (`/api/v1`): requests per minute per token (AJUDA_API_REQUESTS_PER_MINUTE). */
  api: { requestsPerMinute: number };
  /** The organisation's time zone (AJUDA_TIMEZONE, an IANA name; default UTC): Reports' days and hours. */
  timeZone: string;
  /**
   * Attachments (apps/server/src/attachments/): at most `maxBytes` per file and per request
   * (AJUDA_UPLOAD_MAX_MB, default 10), `conversationMaxBytes` in one conversation
   * (AJUDA_UPLOAD_CONVERSATION_MAX_MB, default 100), images up to `maxPixels`; an upload no message took
   * expires after `ttlMs` (AJUDA_UPLOAD_TTL_HOURS, default 24). Files are kept under `dir`
   * (AJUDA_UPLOAD_DIR, default `uploads` beside the SQLite file; null with an in-memory database:
   * a temporary directory), or in an S3-compatible bucket when `s3` is set (AJUDA_UPLOAD_S3_URL,
   * AJUDA_UPLOAD_S3_REGION and the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN).
   * `perMinute`: uploads per client address (AJUDA_UPLOADS_PER_MINUTE).
   */
  uploads: { maxBytes: number; conversationMaxBytes: number; maxPixels: number; ttlMs: number; dir: string | null; perMinute: number; s3: S3Config | null };
  /**
   * Outgoing webhooks: delivery timeout; retries after `retryBaseMs · 2^(n-1)` (capped at
   * `retryMaxMs`, with jitter) up to `maxAttempts`; an endpoint failing for `disableAfterMs` is
   * disabled; the outbox is polled every `pollMs`; finished rows are kept `keepDays`. Private,
   * loopback and link-local targets are refused unless `allowPrivate` (AJUDA_WEBHOOK_ALLOW_PRIVATE=on).
   */
  webhooks: { allowPrivate: boolean; timeoutMs: number; retryBaseMs: number; retryMaxMs: number; maxAttempts: number; disableAfterMs: number; pollMs: number; keepDays: number };
  /**
   * Cluster mode (AJUDA_REDIS_URL): several processes on one PostgreSQL, Redis carrying fan-out
   * hints. null: one process, everything in memory.
   */
  /**
   * Email continuity (README "Email"). Outbound over SMTP when `smtpUrl` is set (AJUDA_SMTP_URL); the
   * inbound paths (HTTP raw MIME, and the SMTP listener when `inbound` is set) need no outbound.
   */
  email: {
    /** `smtp://user:pass@host:587` or `smtps://…`; null: no email is sent (the widget's email parts answer `unavailable`). */
    smtpUrl: string | null;
    /** The From of every email (AJUDA_EMAIL_FROM). */
    from: string;
    /** How long an agent's message stays unread before it is emailed (AJUDA_EMAIL_DELAY_S). */
    delayMs: number;
    /** The domain of signed reply addresses `reply+<conv>.<kid>.<mac>@<domain>` (AJUDA_EMAIL_INBOUND_DOMAIN). */
    inboundDomain: string;
    /** The R13 escalation mailbox (AJUDA_EMAIL_ESCALATION_ADDRESS). */
    escalationAddress: string;
    /** Keys signing reply addresses, the first signs (AJUDA_EMAIL_REPLY_KEYS `kid:secret,…`; default derived from AJUDA_INBOUND_SECRET). */
    replyKeys: Array<{ kid: string; secret: string }>;
    /** The built-in SMTP listener for a relay (AJUDA_SMTP_INBOUND `host:port`); null: none. */
    inbound: { host: string; port: number } | null;
    /** Where the email's link goes: a page with the widget (AJUDA_EMAIL_LINK_URL; default the public URL). */
    linkUrl: string;
    retryBaseMs: number;
    retryMaxMs: number;
    maxAttempts: number;
    pollMs: number;
    /** The largest inbound mail accepted, in bytes. */
    maxBytes: number;
  };
  cluster: {
    redisUrl: string;
    /** This process's name among the nodes (AJUDA_NODE_ID; default host name and pid). */
    nodeId: string;
    /** Presence heartbeat and bus echo period. */
    heartbeatMs: number;
    /** How often every followed conversation is compared with the database (the last net for lost hints). */
    antiEntropyMs: number;
    /** How often agent sockets are checked against their sessions (logout, disable: backstop of the bus). */
    sessionCheckMs: number;
  } | null;
}

const list = z
  .string()
  .optional()
  .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined));
const int = (d: number) => z.coerce.number().int().positive().default(d);

const Env = z.object({
  AJUDA_ENV: z.enum(['development', 'production']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  AJUDA_PUBLIC_URL: z.url().optional(),
  AJUDA_DB_FILE: z.string().default('./data/ajuda.db'),
  AJUDA_UPLOAD_MAX_MB: z.coerce.number().positive().max(1024).default(10),
  AJUDA_UPLOAD_CONVERSATION_MAX_MB: z.coerce.number().positive().max(100_000).default(100),
  AJUDA_UPLOAD_MAX_PIXELS: z.coerce.number().int().positive().default(40_000_000),
  AJUDA_UPLOAD_TTL_HOURS: z.coerce.number().positive().max(24 * 365).default(24),
  AJUDA_UPLOAD_DIR: z.string().min(1).optional(),
  AJUDA_UPLOADS_PER_MINUTE: z.coerce.number().int().positive().default(30),
  AJUDA_UPLOAD_S3_URL: z
    .url({ protocol: /^https?$/ })
    .refine((u) => new URL(u).pathname.split('/').filter(Boolean).length > 0, 'the bucket is the first part of the path: https://host/bucket[/prefix]')
    .optional(),
  AJUDA_UPLOAD_S3_REGION: z.string().min(1).default('us-east-1'),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
  AJUDA_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/./, 'a postgres:// or postgresql:// URL')
    .optional(),
  AJUDA_PG_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  AJUDA_MIGRATE: z.enum(['on', 'off']).default('on'),
  AJUDA_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  AJUDA_BUSY_TIMEOUT_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  AJUDA_IDENTITY_KEYS: z.string().optional(),
  AJUDA_ORIGINS_PLATFORM: list,
  AJUDA_ORIGINS_LOGIN: list,
  AJUDA_ORIGINS_WEBSITE: list,
  AJUDA_CONSOLE_ORIGINS: list,
  AJUDA_INBOUND_SECRET: z.string().min(24).optional(),
  AJUDA_ADMIN_TOKEN: z.string().min(24).optional(),
  AJUDA_SLA: z.string().optional(),
  AJUDA_SLA_TICK_MS: int(5000),
  AJUDA_HEARTBEAT_MS: int(25_000),
  AJUDA_FRAMES_PER_SECOND: int(30),
  AJUDA_FRAME_BURST: int(60),
  AJUDA_STARTS_PER_MINUTE: int(10),
  AJUDA_LOGIN_PER_MINUTE: int(10),
  AJUDA_HELP_PER_MINUTE: int(120),
  AJUDA_UPGRADES_PER_MINUTE: int(600),
  AJUDA_MAX_REPLAY: int(5000),
  AJUDA_DEMO: z.enum(['on', 'off']).optional(),
  DEMO_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  LOG_LEVEL: z.string().default('info'),
  AJUDA_TRUST_PROXY: z.string().optional(),
  AJUDA_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/./, 'a redis:// or rediss:// URL')
    .optional(),
  AJUDA_NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,64}$/, '1–64 letters, digits, . _ : -')
    .optional(),
  AJUDA_CLUSTER_HEARTBEAT_MS: int(1000),
  AJUDA_ANTI_ENTROPY_MS: int(5000),
  AJUDA_SESSION_CHECK_MS: int(5000),
  AJUDA_METRICS_ADDR: z.string().optional(),
  AJUDA_METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  AJUDA_TIMEZONE: z
    .string()
    .default('UTC')
    .refine((tz) => isTimeZone(tz), 'an IANA time zone name such as Europe/Lisbon or America/Sao_Paulo'),
  AJUDA_API_REQUESTS_PER_MINUTE: int(600),
  AJUDA_WEBHOOK_ALLOW_PRIVATE: z.enum(['on', 'off']).default('off'),
  AJUDA_WEBHOOK_TIMEOUT_MS: int(10_000),
  AJUDA_WEBHOOK_RETRY_BASE_MS: int(10_000),
  AJUDA_WEBHOOK_RETRY_MAX_MS: int(6 * 3600_000),
  AJUDA_WEBHOOK_MAX_ATTEMPTS: int(16),
  AJUDA_WEBHOOK_DISABLE_AFTER_MS: int(3 * 24 * 3600_000),
  AJUDA_WEBHOOK_POLL_MS: int(1000),
  AJUDA_WEBHOOK_KEEP_DAYS: int(30),
  AJUDA_SMTP_URL: z.string().regex(/^smtps?:\/\/./, 'an smtp:// or smtps:// URL').optional(),
  AJUDA_EMAIL_FROM: z.string().min(3).optional(),
  AJUDA_EMAIL_DELAY_S: z.coerce.number().int().min(0).default(120),
  AJUDA_EMAIL_INBOUND_DOMAIN: z.string().regex(/^[A-Za-z0-9.-]+$/, 'a domain name').optional(),
  AJUDA_EMAIL_ESCALATION_ADDRESS: z.email().optional(),
  AJUDA_EMAIL_REPLY_KEYS: z.string().optional(),
  AJUDA_SMTP_INBOUND: z.string().optional(),
  AJUDA_EMAIL_LINK_URL: z.url().optional(),
  AJUDA_EMAIL_RETRY_BASE_MS: int(30_000),
  AJUDA_EMAIL_RETRY_MAX_MS: int(3600_000),
  AJUDA_EMAIL_MAX_ATTEMPTS: int(12),
  AJUDA_EMAIL_POLL_MS: int(1000),
  AJUDA_EMAIL_MAX_BYTES: int(10 * 1024 * 1024),
});

/**
 * The value Fastify's `trustProxy` option takes. A hop count becomes a function trusting the
 * first `n` hops from the socket (Fastify alone treats a bare number as "trust nothing").
 */
export function fastifyTrustProxy(tp: Config['trustProxy']): boolean | string[] | ((addr: string, hop: number) => boolean) {
  return typeof tp === 'number' ? (_addr, hop) => hop < tp : tp;
}

/** Names proxy-addr understands besides addresses and CIDRs. */
const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `AJUDA_TRUST_PROXY`: unset or `false` → false; `true` → true; `2` → trust 2 hops;
 * `10.0.0.0/8, 192.168.1.7` → only those proxies (addresses, CIDRs, or loopback/linklocal/uniquelocal).
 *
 * @example parseTrustProxy('10.0.0.0/8,127.0.0.1') // ['10.0.0.0/8', '127.0.0.1']
 */
export function parseTrustProxy(spec: string | undefined): boolean | number | string[] {
  const v = spec?.trim() ?? '';
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  if (/^\d+$/.test(v)) return Number(v);
  const items = v.split(',').map((x) => x.trim()).filter(Boolean);
  for (const item of items) {
    if (PROXY_NAMES.has(item)) continue;
    const [addr = '', bits, extra] = item.split('/');
    const family = isIP(addr);
    const max = family === 4 ? 32 : 128;
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= max);
    if (!family || !okBits || extra !== undefined)
      throw new ConfigError(`AJUDA_TRUST_PROXY: "${item}" is not true, false, a hop count, an address or a CIDR`);
  }
  return items;
}

// Any subset of priorities: the others keep their defaults.
const SlaOverride = z.partialRecord(
  z.enum(['P1', 'P2', 'P3', 'P4']),
  z.object({ firstResponseMin: z.number().positive(), nextResponseMin: z.number().positive(), resolutionMin: z.number().positive() }),
);

/** Parse `AJUDA_IDENTITY_KEYS` = `kid1:secret1,kid2:secret2` (HS256 secrets, at least 32 characters). */
export function parseIdentityKeys(spec: string): IdentityKey[] {
  return spec.split(',').map((pair) => {
    const i = pair.indexOf(':');
    const kid = pair.slice(0, i).trim();
    const secret = pair.slice(i + 1).trim();
    if (i < 1 || secret.length < 32) throw new Error('AJUDA_IDENTITY_KEYS: each entry is kid:secret with a secret of 32+ characters');
    return { kid, secret: new TextEncoder().encode(secret) };
  });
}

interface DevSecrets {
  identityKid: string;
  identitySecret: string;
  inboundSecret: string;
  adminToken: string;
}

/** Development only: secrets generated on first run and kept beside the database. */
function devSecrets(dbFile: string): DevSecrets {
  const file = resolve(dirname(dbFile === ':memory:' ? './data/x' : dbFile), 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevSecrets;
  const s: DevSecrets = {
    identityKid: 'dev-1',
    identitySecret: randomBytes(32).toString('base64url'),
    inboundSecret: randomBytes(24).toString('base64url'),
    adminToken: randomBytes(24).toString('base64url'),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(s, null, 2), { mode: 0o600 });
  return s;
}

export class ConfigError extends Error {}

/**
 * An S3-compatible bucket for attachments: `url` is path-style, `https://<endpoint>/<bucket>[/<prefix>]`
 * (AWS, MinIO, Ceph, R2, …), requests signed with AWS Signature V4 for `region`.
 */
export interface S3Config {
  url: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | null;
}

/**
 * Build the configuration from an environment (default: process.env).
 *
 * @example const config = loadConfig({ PORT: '0', AJUDA_DB_FILE: ':memory:' });
 */
export function loadConfig(source: Record<string, string | undefined> = process.env, root = process.cwd()): Config {
  const parsed = Env.safeParse(source);
  if (!parsed.success) throw new ConfigError(`invalid configuration: ${z.prettifyError(parsed.error)}`);
  const e = parsed.data;
  const prod = e.AJUDA_ENV === 'production';
  const dbFile = e.AJUDA_DB_FILE === ':memory:' ? ':memory:' : resolve(root, e.AJUDA_DB_FILE);
  const port = e.PORT;
  const publicUrl = (e.AJUDA_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, '');
  const demoEnabled = (e.AJUDA_DEMO ?? (prod ? 'off' : 'on')) === 'on';
  const demoPort = e.DEMO_PORT ?? (port === 0 ? 0 : port + 1);

  if (e.AJUDA_REDIS_URL) {
    // Several processes share one truth: only PostgreSQL can be it, and every process must hold
    // the same secrets (a per-machine generated one would sign tokens the others refuse).
    if (!e.AJUDA_DATABASE_URL) throw new ConfigError('AJUDA_REDIS_URL (cluster mode) needs AJUDA_DATABASE_URL: PostgreSQL is the one source of truth the processes share');
    const generated = [
      !e.AJUDA_IDENTITY_KEYS && 'AJUDA_IDENTITY_KEYS',
      !e.AJUDA_INBOUND_SECRET && 'AJUDA_INBOUND_SECRET',
      !e.AJUDA_ADMIN_TOKEN && 'AJUDA_ADMIN_TOKEN',
      !e.AJUDA_PUBLIC_URL && 'AJUDA_PUBLIC_URL',
    ].filter(Boolean);
    if (generated.length) throw new ConfigError(`AJUDA_REDIS_URL (cluster mode) needs the same values on every process, not generated per machine: set ${generated.join(', ')}`);
    // A file uploaded through one process is downloaded through any other: they need one place for files.
    if (!e.AJUDA_UPLOAD_S3_URL && !e.AJUDA_UPLOAD_DIR)
      throw new ConfigError('AJUDA_REDIS_URL (cluster mode) needs one place for attachments that every process reads: set AJUDA_UPLOAD_S3_URL (a bucket) or AJUDA_UPLOAD_DIR (a folder every process mounts)');
  }
  if (e.AJUDA_UPLOAD_S3_URL) {
    const missing = [!e.AWS_ACCESS_KEY_ID && 'AWS_ACCESS_KEY_ID', !e.AWS_SECRET_ACCESS_KEY && 'AWS_SECRET_ACCESS_KEY'].filter(Boolean);
    if (missing.length) throw new ConfigError(`AJUDA_UPLOAD_S3_URL needs the bucket's credentials: set ${missing.join(', ')}`);
  }
  if (prod) {
    const missing = [
      !e.AJUDA_IDENTITY_KEYS && 'AJUDA_IDENTITY_KEYS',
      !e.AJUDA_INBOUND_SECRET && 'AJUDA_INBOUND_SECRET',
      !e.AJUDA_ADMIN_TOKEN && 'AJUDA_ADMIN_TOKEN',
      !e.AJUDA_PUBLIC_URL && 'AJUDA_PUBLIC_URL',
      !(e.AJUDA_ORIGINS_PLATFORM || e.AJUDA_ORIGINS_LOGIN || e.AJUDA_ORIGINS_WEBSITE) && 'AJUDA_ORIGINS_PLATFORM/LOGIN/WEBSITE',
    ].filter(Boolean);
    if (missing.length) throw new ConfigError(`AJUDA_ENV=production needs: ${missing.join(', ')}`);
  }
  const dev = prod ? null : devSecrets(dbFile);
  const demoOrigins = demoEnabled ? [`http://localhost:${demoPort}`, `http://127.0.0.1:${demoPort}`] : [];
  const identityKeys = e.AJUDA_IDENTITY_KEYS
    ? parseIdentityKeys(e.AJUDA_IDENTITY_KEYS)
    : [{ kid: dev!.identityKid, secret: new TextEncoder().encode(dev!.identitySecret) }];
  let sla = DEFAULT_SLA;
  if (e.AJUDA_SLA) {
    const o = SlaOverride.safeParse(JSON.parse(e.AJUDA_SLA));
    if (!o.success) throw new ConfigError(`AJUDA_SLA: ${z.prettifyError(o.error)}`);
    sla = { ...DEFAULT_SLA, ...o.data };
  }
  if (e.AJUDA_METRICS_TOKEN && !e.AJUDA_METRICS_ADDR) throw new ConfigError('AJUDA_METRICS_TOKEN is set but AJUDA_METRICS_ADDR is not: name the metrics listener (e.g. 127.0.0.1:9464)');
  let metrics: Config['metrics'] = null;
  if (e.AJUDA_METRICS_ADDR) {
    try {
      metrics = { ...parseListenAddress(e.AJUDA_METRICS_ADDR), token: e.AJUDA_METRICS_TOKEN ?? null };
    } catch (err) {
      throw new ConfigError(`AJUDA_METRICS_ADDR: ${(err as Error).message}`);
    }
  }
  let emailInbound: Config['email']['inbound'] = null;
  if (e.AJUDA_SMTP_INBOUND) {
    try {
      emailInbound = parseListenAddress(e.AJUDA_SMTP_INBOUND);
    } catch (err) {
      throw new ConfigError(`AJUDA_SMTP_INBOUND: ${(err as Error).message}`);
    }
  }
  const publicHost = new URL(publicUrl).hostname;
  const emailFrom = e.AJUDA_EMAIL_FROM ?? `Ajuda <support@${publicHost}>`;
  const fromDomain = /@([^>\s]+)>?\s*$/.exec(emailFrom)?.[1] ?? publicHost;
  const inboundDomain = (e.AJUDA_EMAIL_INBOUND_DOMAIN ?? fromDomain).toLowerCase();
  const inboundSecret = e.AJUDA_INBOUND_SECRET ?? dev!.inboundSecret;
  const replyKeys = e.AJUDA_EMAIL_REPLY_KEYS
    ? e.AJUDA_EMAIL_REPLY_KEYS.split(',').map((pair) => {
        const i = pair.indexOf(':');
        const kid = pair.slice(0, i).trim().toLowerCase();
        const secret = pair.slice(i + 1).trim();
        if (!/^[a-z0-9]{1,8}$/.test(kid) || secret.length < 32) throw new ConfigError('AJUDA_EMAIL_REPLY_KEYS: each entry is kid:secret, a kid of 1–8 letters or digits and a secret of 32+ characters');
        return { kid, secret };
      })
    : [{ kid: 'k1', secret: createHmac('sha256', inboundSecret).update('ajuda email reply address').digest('base64url') }];
  const here = (p: string) => resolve(new URL('.', import.meta.url).pathname, p);
  return {
    env: e.AJUDA_ENV,
    host: e.HOST,
    port,
    publicUrl,
    dbFile,
    databaseUrl: e.AJUDA_DATABASE_URL ?? null,
    pgPoolMax: e.AJUDA_PG_POOL_MAX,
    migrate: e.AJUDA_MIGRATE === 'on',
    synchronous: e.AJUDA_SYNCHRONOUS,
    busyTimeoutMs: e.AJUDA_BUSY_TIMEOUT_MS,
    identityKeys,
    origins: {
      platform: e.AJUDA_ORIGINS_PLATFORM ?? demoOrigins,
      login: e.AJUDA_ORIGINS_LOGIN ?? demoOrigins,
      website: e.AJUDA_ORIGINS_WEBSITE ?? demoOrigins,
    },
    consoleOrigins: e.AJUDA_CONSOLE_ORIGINS ?? [],
    inboundSecret,
    adminToken: e.AJUDA_ADMIN_TOKEN ?? dev!.adminToken,
    sla,
    slaTickMs: e.AJUDA_SLA_TICK_MS,
    heartbeatMs: e.AJUDA_HEARTBEAT_MS,
    helloTimeoutMs: 10_000,
    agentSessionHours: 12,
    limits: {
      framesPerSecond: e.AJUDA_FRAMES_PER_SECOND,
      frameBurst: e.AJUDA_FRAME_BURST,
      startsPerMinute: e.AJUDA_STARTS_PER_MINUTE,
      loginPerMinute: e.AJUDA_LOGIN_PER_MINUTE,
      helpPerMinute: e.AJUDA_HELP_PER_MINUTE,
      upgradesPerMinute: e.AJUDA_UPGRADES_PER_MINUTE,
      maxReplay: e.AJUDA_MAX_REPLAY,
    },
    demo: { enabled: demoEnabled, port: demoPort },
    logLevel: e.LOG_LEVEL,
    trustProxy: parseTrustProxy(e.AJUDA_TRUST_PROXY),
    staticDirs: {
      loader: here('../../../packages/widget-loader/dist'),
      widget: here('../../../packages/widget/dist'),
      console: here('../../console/dist'),
    },
    metrics,
    api: { requestsPerMinute: e.AJUDA_API_REQUESTS_PER_MINUTE },
    timeZone: e.AJUDA_TIMEZONE,
    uploads: {
      maxBytes: Math.floor(e.AJUDA_UPLOAD_MAX_MB * 1024 * 1024),
      conversationMaxBytes: Math.floor(e.AJUDA_UPLOAD_CONVERSATION_MAX_MB * 1024 * 1024),
      maxPixels: e.AJUDA_UPLOAD_MAX_PIXELS,
      ttlMs: Math.round(e.AJUDA_UPLOAD_TTL_HOURS * 3600_000),
      dir: e.AJUDA_UPLOAD_DIR ? resolve(root, e.AJUDA_UPLOAD_DIR) : dbFile === ':memory:' ? null : resolve(dirname(dbFile), 'uploads'),
      perMinute: e.AJUDA_UPLOADS_PER_MINUTE,
      s3: e.AJUDA_UPLOAD_S3_URL
        ? {
            url: e.AJUDA_UPLOAD_S3_URL.replace(/\/+$/, ''),
            region: e.AJUDA_UPLOAD_S3_REGION,
            accessKeyId: e.AWS_ACCESS_KEY_ID!,
            secretAccessKey: e.AWS_SECRET_ACCESS_KEY!,
            sessionToken: e.AWS_SESSION_TOKEN ?? null,
          }
        : null,
    },
    webhooks: {
      allowPrivate: e.AJUDA_WEBHOOK_ALLOW_PRIVATE === 'on',
      timeoutMs: e.AJUDA_WEBHOOK_TIMEOUT_MS,
      retryBaseMs: e.AJUDA_WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: Math.max(e.AJUDA_WEBHOOK_RETRY_MAX_MS, e.AJUDA_WEBHOOK_RETRY_BASE_MS),
      maxAttempts: e.AJUDA_WEBHOOK_MAX_ATTEMPTS,
      disableAfterMs: e.AJUDA_WEBHOOK_DISABLE_AFTER_MS,
      pollMs: e.AJUDA_WEBHOOK_POLL_MS,
      keepDays: e.AJUDA_WEBHOOK_KEEP_DAYS,
    },
    email: {
      smtpUrl: e.AJUDA_SMTP_URL ?? null,
      from: emailFrom,
      delayMs: e.AJUDA_EMAIL_DELAY_S * 1000,
      inboundDomain,
      escalationAddress: (e.AJUDA_EMAIL_ESCALATION_ADDRESS ?? `escalations@${inboundDomain}`).toLowerCase(),
      replyKeys,
      inbound: emailInbound,
      linkUrl: e.AJUDA_EMAIL_LINK_URL ?? publicUrl,
      retryBaseMs: e.AJUDA_EMAIL_RETRY_BASE_MS,
      retryMaxMs: Math.max(e.AJUDA_EMAIL_RETRY_MAX_MS, e.AJUDA_EMAIL_RETRY_BASE_MS),
      maxAttempts: e.AJUDA_EMAIL_MAX_ATTEMPTS,
      pollMs: e.AJUDA_EMAIL_POLL_MS,
      maxBytes: e.AJUDA_EMAIL_MAX_BYTES,
    },
    cluster: e.AJUDA_REDIS_URL
      ? {
          redisUrl: e.AJUDA_REDIS_URL,
          nodeId: e.AJUDA_NODE_ID ?? `${hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40)}-${process.pid}`,
          heartbeatMs: e.AJUDA_CLUSTER_HEARTBEAT_MS,
          antiEntropyMs: e.AJUDA_ANTI_ENTROPY_MS,
          sessionCheckMs: e.AJUDA_SESSION_CHECK_MS,
        }
      : null,
  };
}
