import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { ConversationRow, EscalationRow } from '@ajuda/db';
import { AjudaError } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { shortId } from '../../crypto.ts';
import { assignConversation, changePriority, transferConversation } from '../../domains/agents/handlers.ts';
import { announce, appendFor, reopenConversation, resolveConversation } from '../../domains/conversations/handlers.ts';
import { assignWaiting } from '../../domains/routing/routing.ts';
import type { ApiPrincipal } from '../tokens.ts';
import {
  ApiConversation,
  ApiEscalation,
  ApiMessage,
  AssignBody,
  ConversationListQuery,
  ConversationParams,
  EscalationListQuery,
  MessageBody,
  MessagesQuery,
  PriorityBody,
  TransferBody,
  conflict,
  errors,
  notFound,
} from './schemas.ts';
import { agentNames, apiConversation, apiEscalation, apiMessage, decodeCursor, encodeCursor } from './views.ts';

/** How many rows a listing reads at a time while it filters them by the token's access. */
const SCAN = 200;
const MESSAGES_IN_DETAIL = 500;

const tags = ['conversations'];
const ConversationResult = z.object({ conversation: ApiConversation });
const MessageResult = z.object({ message: ApiMessage, duplicate: z.boolean().describe('A retry of a stored clientMsgId: nothing new was written.') });

/**
 * `/api/v1/conversations` and `/api/v1/escalations`: reads need `conversations:read`, actions
 * `conversations:write`. Every action goes through the same domain functions as the console's
 * frames (access R7, R9, R13, the state checks) and fires the same domain events, so sockets see
 * it live. A conversation the token's agent may not see is answered as one that does not exist.
 */
export const conversationRoutes: FastifyPluginAsyncZod<{ svc: Services }> = async (app, { svc }) => {
  const who = (req: { api: ApiPrincipal | null }) => req.api!;
  const fresh = async (id: string) => {
    const c = (await svc.store.getConversation(id))!;
    return apiConversation(svc, c, await agentNames(svc));
  };

  app.get(
    '/conversations',
    {
      config: { apiScope: 'conversations:read' },
      schema: {
        tags,
        summary: 'List conversations',
        description:
          'The conversations the token may see, oldest update first: (updatedAt, id) ascending, a stable order. Pass nextCursor to get the next page; a conversation updated meanwhile moves to a later page, so a client that follows the cursors to the end misses no update.',
        querystring: ConversationListQuery,
        response: { 200: z.object({ conversations: z.array(ApiConversation), nextCursor: z.string().nullable() }), ...errors },
      },
    },
    async (req) => {
      const p = who(req).as;
      const q = req.query;
      const c0 = decodeCursor(q.cursor, 2);
      let after = c0 ? { updatedAt: c0[0]!, id: c0[1]! } : undefined;
      const out: ConversationRow[] = [];
      for (;;) {
        const rows = await svc.store.api.listConversations({
          ...(q.status ? { status: q.status } : {}),
          ...(q.priority ? { priority: q.priority } : {}),
          ...(q.language ? { language: q.language } : {}),
          ...(q.queue ? { queue: q.queue } : {}),
          ...(q.updatedSince ? { updatedSince: new Date(q.updatedSince).toISOString() } : {}),
          ...(after ? { after } : {}),
          limit: SCAN,
        });
        for (const c of rows) {
          if (svc.access.mayAccess(p, c)) out.push(c);
          if (out.length === q.limit) break;
        }
        if (out.length === q.limit || rows.length < SCAN) break;
        after = { updatedAt: rows.at(-1)!.updatedAt, id: rows.at(-1)!.id };
      }
      const names = await agentNames(svc);
      const last = out.length === q.limit ? out.at(-1)! : null;
      return { conversations: out.map((c) => apiConversation(svc, c, names)), nextCursor: last ? encodeCursor([last.updatedAt, last.id]) : null };
    },
  );

  app.get(
    '/conversations/:id',
    {
      config: { apiScope: 'conversations:read' },
      schema: {
        tags,
        summary: 'One conversation, its messages and escalations',
        description: `Messages in seq order, internal notes included, up to ${MESSAGES_IN_DETAIL} (moreMessages: page on with /messages). An agent who handled a conversation before it moved may still read it (R13).`,
        params: ConversationParams,
        response: {
          200: z.object({ conversation: ApiConversation, messages: z.array(ApiMessage), moreMessages: z.boolean(), escalations: z.array(ApiEscalation) }),
          ...errors,
          ...notFound,
        },
      },
    },
    async (req) => {
      const c = await svc.access.loadReadable(who(req).as, req.params.id);
      const [messages, escalations, names] = await Promise.all([svc.store.messagesAfter(c.id, 0, MESSAGES_IN_DETAIL + 1, true), svc.store.escalations(c.id), agentNames(svc)]);
      return {
        conversation: apiConversation(svc, c, names),
        messages: messages.slice(0, MESSAGES_IN_DETAIL).map(apiMessage),
        moreMessages: messages.length > MESSAGES_IN_DETAIL,
        escalations: escalations.map(apiEscalation),
      };
    },
  );

  app.get(
    '/conversations/:id/messages',
    {
      config: { apiScope: 'conversations:read' },
      schema: {
        tags,
        summary: 'Messages of a conversation, after a seq',
        params: ConversationParams,
        querystring: MessagesQuery,
        response: { 200: z.object({ messages: z.array(ApiMessage), nextAfterSeq: z.number().int().nullable() }), ...errors, ...notFound },
      },
    },
    async (req) => {
      const c = await svc.access.loadReadable(who(req).as, req.params.id);
      const rows = await svc.store.messagesAfter(c.id, req.query.afterSeq, req.query.limit, true);
      return { messages: rows.map(apiMessage), nextAfterSeq: rows.length === req.query.limit ? rows.at(-1)!.seq : null };
    },
  );

  const post = (kind: 'text' | 'note') =>
    app.post(
      kind === 'text' ? '/conversations/:id/messages' : '/conversations/:id/notes',
      {
        config: { apiScope: 'conversations:write' },
        schema: {
          tags,
          summary: kind === 'text' ? 'Reply to the requester' : 'Add an internal note',
          description:
            kind === 'text'
              ? 'As the token’s agent (a system token replies under its own name). Replying to a queued conversation assigns it to that agent, as in the console. 201 when stored; 200 when the clientMsgId was stored before (nothing new written).'
              : 'Notes are never shown to the requester.',
          params: ConversationParams,
          body: MessageBody,
          response: { 201: MessageResult, 200: MessageResult, ...errors, ...notFound, ...conflict },
        },
      },
      async (req, reply) => {
        const p = who(req);
        const r = await appendFor(svc, p.as, { conversationId: req.params.id, clientMsgId: req.body.clientMsgId ?? shortId('api'), body: req.body.body, kind, attachments: req.body.attachments }, { take: !p.system });
        await announce(svc, r);
        return reply.code(r.duplicate ? 200 : 201).send({ message: apiMessage(r.message), duplicate: r.duplicate });
      },
    );
  post('text');
  post('note');

  app.post(
    '/conversations/:id/assign',
    {
      config: { apiScope: 'conversations:write' },
      schema: { tags, summary: 'Assign to an agent', params: ConversationParams, body: AssignBody, response: { 200: ConversationResult, ...errors, ...notFound, ...conflict } },
    },
    async (req) => {
      const p = who(req);
      if (p.system && !req.body.agentId) throw new AjudaError('bad_request', 'a system token acts for no agent: name the agent (agentId)');
      await assignConversation(svc, p.as, { conversationId: req.params.id, agentId: req.body.agentId }, p.actor);
      return { conversation: await fresh(req.params.id) };
    },
  );

  app.post(
    '/conversations/:id/transfer',
    {
      config: { apiScope: 'conversations:write' },
      schema: {
        tags,
        summary: 'Transfer to another queue or agent',
        description: 'Audited with its reason; to the project queue flags a complex change (R8b).',
        params: ConversationParams,
        body: TransferBody,
        response: { 200: ConversationResult, ...errors, ...notFound, ...conflict },
      },
    },
    async (req) => {
      const p = who(req);
      await transferConversation(svc, p.as, { conversationId: req.params.id, ...req.body }, p.actor);
      return { conversation: await fresh(req.params.id) };
    },
  );

  app.post(
    '/conversations/:id/priority',
    {
      config: { apiScope: 'conversations:write' },
      schema: {
        tags,
        summary: 'Override the priority (R9)',
        description: 'The change and its reason are audited and added to the priority trace.',
        params: ConversationParams,
        body: PriorityBody,
        response: { 200: ConversationResult, ...errors, ...notFound, ...conflict },
      },
    },
    async (req) => {
      const p = who(req);
      await changePriority(svc, p.as, { conversationId: req.params.id, priority: req.body.priority, reason: req.body.reason }, p.actor);
      return { conversation: await fresh(req.params.id) };
    },
  );

  app.post(
    '/conversations/:id/resolve',
    {
      config: { apiScope: 'conversations:write' },
      schema: { tags, summary: 'Resolve', description: 'The requester is then asked whether it answered their question (R14).', params: ConversationParams, response: { 200: ConversationResult, ...errors, ...notFound, ...conflict } },
    },
    async (req) => {
      const p = who(req);
      await resolveConversation(svc, p.as, req.params.id, p.actor);
      void assignWaiting(svc).catch((err: unknown) => svc.log.error({ err }, 'assigning waiting conversations failed'));
      return { conversation: await fresh(req.params.id) };
    },
  );

  app.post(
    '/conversations/:id/reopen',
    {
      config: { apiScope: 'conversations:write' },
      schema: { tags, summary: 'Reopen a resolved conversation', params: ConversationParams, response: { 200: ConversationResult, ...errors, ...notFound, ...conflict } },
    },
    async (req) => {
      const p = who(req);
      const c = await reopenConversation(svc, p.as, req.params.id, p.actor);
      return { conversation: apiConversation(svc, c, await agentNames(svc)) };
    },
  );

  app.get(
    '/escalations',
    {
      config: { apiScope: 'conversations:read' },
      schema: {
        tags,
        summary: 'List escalations (R13)',
        description: 'Escalations of the conversations the token may see, oldest first: (createdAt, id) ascending; pass nextCursor for the next page.',
        querystring: EscalationListQuery,
        response: { 200: z.object({ escalations: z.array(ApiEscalation), nextCursor: z.string().nullable() }), ...errors },
      },
    },
    async (req) => {
      const p = who(req).as;
      const q = req.query;
      const c0 = decodeCursor(q.cursor, 2);
      let after = c0 ? { createdAt: c0[0]!, id: c0[1]! } : undefined;
      const out: EscalationRow[] = [];
      for (;;) {
        const rows = await svc.store.api.listEscalations({ ...(q.since ? { since: new Date(q.since).toISOString() } : {}), ...(after ? { after } : {}), limit: SCAN });
        const convs = new Map((await svc.store.getConversations([...new Set(rows.map((e) => e.conversationId))])).map((c) => [c.id, c]));
        for (const e of rows) {
          const c = convs.get(e.conversationId);
          if (c && svc.access.mayAccess(p, c)) out.push(e);
          if (out.length === q.limit) break;
        }
        if (out.length === q.limit || rows.length < SCAN) break;
        after = { createdAt: rows.at(-1)!.createdAt, id: rows.at(-1)!.id };
      }
      const last = out.length === q.limit ? out.at(-1)! : null;
      return { escalations: out.map(apiEscalation), nextCursor: last ? encodeCursor([last.createdAt, last.id]) : null };
    },
  );
};
