import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StoreBusy } from '@ajuda/db';
import { AjudaError, clientCode, errorInfo, type ErrorCode } from '@ajuda/protocol';
import { shortId } from '../crypto.ts';

/** The RFC 9457 body of a problem from the one error table. */
export function problemBody(code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}) {
  const info = errorInfo(code);
  return { type: `https://ajuda.dev/errors/${code}`, title: code.replace(/_/g, ' '), status: info.status, code, ...(detail ? { detail } : {}), ...extra };
}

/** An RFC 9457 problem response from the one error table. */
export function problem(reply: FastifyReply, code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}) {
  return reply.code(errorInfo(code).status).type('application/problem+json').send(problemBody(code, detail, extra));
}

/** Fastify's own refusals (content-type parsing, body size, …) by their code, then by status. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_TYPE: 'unsupported_media_type',
  FST_ERR_BAD_URL: 'bad_request',
  FST_ERR_ASYNC_CONSTRAINT: 'bad_request',
};
const BY_STATUS: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'auth_failed',
  403: 'forbidden',
  404: 'not_found',
  408: 'request_timeout',
  409: 'invalid_state',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  426: 'upgrade_required',
  429: 'rate_limited',
  431: 'headers_too_large',
  503: 'unavailable',
};

/** The table code for anything thrown while serving a request; `internal` for the unexpected. */
export function codeOf(err: unknown): ErrorCode {
  if (err instanceof AjudaError) return clientCode(err.code);
  const e = err as { code?: unknown; statusCode?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' && FASTIFY_CODES[e.code]) return FASTIFY_CODES[e.code]!;
  // The store's typed transient error (whatever the backend): the client may retry.
  if (err instanceof StoreBusy) return clientCode('db_busy');
  const status = typeof e?.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) return BY_STATUS[status] ?? 'bad_request';
  return BY_STATUS[status] ?? 'internal';
}

/**
 * The one error handler of the HTTP side: every refusal — a route's, Fastify's, the rate limiter's —
 * leaves as `application/problem+json` from the error table. 5xx detail stays in the log, under an
 * incident reference the client gets.
 */
export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply) {
  const code = codeOf(err);
  const extra: Record<string, unknown> = {};
  if (err instanceof AjudaError && err.extra.retryAfter !== undefined) extra.retryAfter = err.extra.retryAfter;
  if (errorInfo(code).status >= 500) {
    extra.incident = shortId('inc');
    req.log.error({ err, incident: extra.incident }, 'request failed');
  }
  const detail = err instanceof AjudaError && err.message !== err.code ? err.message : undefined;
  return problem(reply, code, detail, extra);
}

/**
 * A request Node's HTTP parser refuses (malformed, headers too large, timed out) never reaches a
 * route: answer it on the raw socket, still as a problem.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code: ErrorCode = err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : 'bad_request';
  const body = JSON.stringify(problemBody(code));
  if (socket.writable && socket.bytesWritten === 0) {
    socket.write(`HTTP/1.1 ${errorInfo(code).status} ${STATUS_CODES[errorInfo(code).status]}\r\nConnection: close\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy(err);
}
