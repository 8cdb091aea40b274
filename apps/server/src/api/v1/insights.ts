import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AjudaError } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { encodeCursor, reportFor, ReportParams, SearchParams, searchInput } from '../../insights/routes.ts';
import { searchConversations } from '../../insights/search.ts';
import type { ApiPrincipal } from '../tokens.ts';
import { ApiConversation, apiSchemas, errors } from './schemas.ts';
import { agentNames, apiConversation } from './views.ts';

/**
 * `/api/v1/conversations/search` (conversations:read; R7 as in every listing) and `/api/v1/reports`
 * (conversations:read, for a lead's or an administrator's token, or a system token): the console's
 * search and Reports figures (docs/reports.md).
 */
const named = <S extends z.ZodType>(id: string, schema: S, description: string): S => {
  apiSchemas.add(schema, { id, description });
  return schema;
};
const Rate = named(
  'Rate',
  z.object({ of: z.number().int(), yes: z.number().int(), rate: z.number().nullable().describe('yes / of; null when of is 0.') }),
  'A share: how many count (of), how many have the property (yes).',
);
const HelpCounts = z.object({
  searches: z.number().int().describe('Help-centre searches made.'),
  suggested: z.number().int().describe('Articles suggested while describing a question.'),
  opened: z.number().int().describe('Articles opened.'),
  answered: z.number().int().describe('Readers who said an article answered their question.'),
  continued: z.number().int().describe('Readers who went on to write to support after the help centre.'),
});
const Report = named(
  'Report',
  z.object({
    period: z.object({ from: z.string(), to: z.string(), timeZone: z.string(), start: z.string(), end: z.string() }).describe('Local days from–to inclusive in timeZone (AJUDA_TIMEZONE); start–end: the same as UTC instants [start, end).'),
    firstResponse: z.object({ count: z.number().int(), medianSeconds: z.number().nullable(), p90Seconds: z.number().nullable() }),
    sla: z.array(z.object({ priority: z.enum(['P1', 'P2', 'P3', 'P4']), firstResponse: Rate, resolution: Rate })),
    answeredYes: Rate,
    reopened: Rate,
    escalated: Rate,
    volume: z.array(z.object({ priority: z.string().nullable(), language: z.string(), requestType: z.string(), queue: z.string(), count: z.number().int() })),
    hours: z.array(z.number().int()).length(24).describe('Conversations queued per local hour of the day, 0–23.'),
    deflection: z
      .object({
        ...HelpCounts.shape,
        rate: Rate,
        byLanguage: z.array(z.object({ language: z.string(), ...HelpCounts.shape, rate: Rate })),
      })
      .describe('The help centre’s deflection rate: answered ÷ (answered + continued) over its daily counters in from–to (UTC days), in all and per language; the language filter applies, team and priority do not.'),
  }),
  'Reports figures for a period; docs/reports.md defines each one.',
);

export function insightApiRoutes(svc: Services) {
  return async (root: FastifyInstance): Promise<void> => {
    const app = root.withTypeProvider<ZodTypeProvider>();
    const who = (req: { api: ApiPrincipal | null }) => req.api!;
    app.get(
      '/conversations/search',
      {
        config: { apiScope: 'conversations:read' },
        schema: {
          tags: ['conversations'],
          summary: 'Search conversations',
          description:
            'By id (any case, with or without AJ-), requester name or email, realm, and the words of messages and notes (diacritics and case folded: "configuracao" finds "configuração"; every word must match, the last as a prefix; quotes and operators are plain text). Filters: status, priority, language, queue, from/to (creation, local days in AJUDA_TIMEZONE). Newest update first; only conversations the token may see (R7).',
          querystring: SearchParams.extend({ limit: z.coerce.number().int().min(1).max(100).default(25) }),
          response: { 200: z.object({ conversations: z.array(ApiConversation), nextCursor: z.string().nullable() }), ...errors },
        },
      },
      async (req) => {
        const s = searchInput(svc, req.query);
        if ('error' in s) throw new AjudaError('bad_request', s.error);
        const r = await searchConversations(svc, who(req).as, s.input);
        const names = await agentNames(svc);
        return { conversations: r.conversations.map((c) => apiConversation(svc, c, names)), nextCursor: r.next ? encodeCursor(r.next) : null };
      },
    );
    app.get(
      '/reports',
      {
        config: { apiScope: 'conversations:read' },
        schema: {
          tags: ['reports'],
          summary: 'Reports figures',
          description:
            'First response median and p90, SLA compliance per priority, the "answered your question?" yes-rate, reopen and escalation rates, volume and conversations per hour, for local days from–to (default: the last 7) in AJUDA_TIMEZONE, filtered by team, priority and language. A lead’s or administrator’s token, or a system token.',
          querystring: ReportParams,
          response: { 200: Report, ...errors },
        },
      },
      async (req) => {
        const p = who(req).as;
        if (p.role !== 'lead' && p.role !== 'admin') throw new AjudaError('forbidden', 'reports are for leads and administrators');
        const r = await reportFor(svc, req.query);
        if ('error' in r) throw new AjudaError('bad_request', r.error);
        return r;
      },
    );
  };
}
