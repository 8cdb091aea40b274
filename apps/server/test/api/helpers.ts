import type { LightMyRequestResponse } from 'fastify';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { GENERAL, idem, requester } from '../client.ts';

export const OPERATOR = 'admin-token-0123456789abcdefghij';

/** A stack whose clock a test moves (`advance`), and whose log lines it reads (`logs`). */
export interface ApiStack extends TestStack {
  advance(ms: number): void;
  logs: string[];
  call(method: string, url: string, token: string | null, payload?: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  /** Create an API token with the operator token; its secret. */
  token(scopes: string[], agentId: string | null, over?: Record<string, unknown>): Promise<string>;
  /** A requester starts a general question: queued in the support queue (no agent online takes it). */
  conversation(): Promise<string>;
}

/** `frozen`: the clock moves only when the test advances it (not with real time). */
export async function apiStack(env: Record<string, string> = {}, opts: { frozen?: boolean } = {}): Promise<ApiStack> {
  let offset = 0;
  const base = Date.now();
  const logs: string[] = [];
  const stack = await startTestStack(
    { LOG_LEVEL: 'trace', ...env },
    { demo: false, now: () => new Date((opts.frozen ? base : Date.now()) + offset), logger: { level: 'trace', stream: { write: (s: string) => void logs.push(s) } } },
  );
  const call: ApiStack['call'] = (method, url, token, payload, headers = {}) =>
    stack.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const sockets: Array<{ close(): void }> = [];
  const closeStack = stack.close.bind(stack);
  return Object.assign(stack, {
    logs,
    advance: (ms: number) => void (offset += ms),
    call,
    async token(scopes: string[], agentId: string | null, over: Record<string, unknown> = {}) {
      const r = await call('POST', '/api/v1/tokens', OPERATOR, { name: `t-${scopes.join('+')}-${agentId ?? 'system'}`, scopes, agentId, ...over });
      if (r.statusCode !== 201) throw new Error(`token: ${r.statusCode} ${r.body}`);
      return r.json<{ token: string }>().token;
    },
    async conversation() {
      const c = await requester(stack);
      sockets.push(c);
      const f = await c.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: GENERAL() }, 'conversation.started');
      await c.request({ type: 'message.send', conversationId: f.conversation.id, clientMsgId: idem(), body: 'Hello, is anyone there?' }, 'message.ack');
      return f.conversation.id;
    },
    async close() {
      for (const s of sockets) s.close();
      await closeStack();
    },
  });
}
