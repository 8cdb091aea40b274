import type { FastifyReply } from 'fastify';
import { errorInfo, type ErrorCode } from '@ajuda/protocol';

/** An RFC 9457 problem response from the one error table. */
export function problem(reply: FastifyReply, code: ErrorCode, detail?: string, extra: Record<string, unknown> = {}) {
  const info = errorInfo(code);
  return reply
    .code(info.status)
    .type('application/problem+json')
    .send({ type: `https://ajuda.dev/errors/${code}`, title: code.replace(/_/g, ' '), status: info.status, code, ...(detail ? { detail } : {}), ...extra });
}
