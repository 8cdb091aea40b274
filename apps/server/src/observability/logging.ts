import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';

/**
 * Keys whose values never reach a log line, at any of the first four levels of a logged object:
 * credentials (Authorization and Cookie headers; agents' session tokens, identity tokens, visitor
 * tokens, API tokens, passwords, webhook secrets) and intake answers (`answers`: what a requester
 * typed, personal data).
 */
export const SECRET_KEYS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'identityToken',
  'visitorToken',
  'sessionToken',
  'agentToken',
  'apiToken',
  'password',
  'newPassword',
  'secret',
  'answers',
] as const;

/** pino `redact` paths: each secret key at the top and under one, two or three levels of any object. */
export const REDACT_PATHS: string[] = SECRET_KEYS.flatMap((k) => {
  const plain = /^[A-Za-z_$][\w$]*$/.test(k);
  const top = plain ? k : `["${k}"]`;
  const nested = plain ? `.${k}` : `["${k}"]`;
  return [top, `*${nested}`, `*.*${nested}`, `*.*.*${nested}`];
});

/** Query parameters whose values are masked in a logged URL (a token in a URL is a mistake, but it must not be logged). */
const SECRET_PARAM = /token|secret|password|passwd|auth|key|session|cookie|code|signature|sig$/i;

/**
 * A URL as it may be logged: the value of every query parameter that looks like a credential is
 * replaced by `[Redacted]`.
 *
 * @example redactUrl('/api/x?token=abc&page=2') // '/api/x?token=[Redacted]&page=2'
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed name is judged as it is
      }
      return eq >= 0 && SECRET_PARAM.test(decoded) ? `${name}=[Redacted]` : pair;
    });
  return `${url.slice(0, q)}?${params.join('&')}`;
}

/** The request as a log line shows it: no headers, no body, credentials masked in the query. */
function req(r: FastifyRequest): Record<string, unknown> {
  return { method: r.method, url: redactUrl(r.url), host: r.host, remoteAddress: r.ip, remotePort: r.socket?.remotePort };
}

/**
 * The server's pino options: the configured level, redaction of every secret key, and a request
 * serializer that logs no header or body and masks credentials in the query. `override` (a test's
 * or embedder's logger options: a level, a stream…) is merged in; the redaction always stays.
 * `false` turns logging off.
 */
export function loggerOptions(config: Pick<Config, 'logLevel'>, override: boolean | object | undefined): false | Record<string, unknown> {
  if (override === false) return false;
  const o = (typeof override === 'object' && override !== null ? override : {}) as Record<string, unknown> & { redact?: unknown; serializers?: Record<string, unknown> };
  const extra = Array.isArray(o.redact) ? (o.redact as string[]) : ((o.redact as { paths?: string[] } | undefined)?.paths ?? []);
  return {
    level: config.logLevel,
    ...o,
    redact: { paths: [...REDACT_PATHS, ...extra], censor: '[Redacted]' },
    serializers: { req, ...o.serializers },
  };
}
