import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ConversationRow } from '@ajuda/db';
import type { Services } from '../context.ts';
import { sha256 } from '../crypto.ts';
import { problem } from '../http/problem.ts';
import { AGENT_COOKIE } from '../http/routes.ts';
import type { AgentPrincipal } from '../session/principal.ts';
import { isTimeZone, localTime, periodOf } from './period.ts';
import { computeReport, reportCsv, type Report } from './reports.ts';
import { searchConversations } from './search.ts';
import { teamOverview } from './team.ts';

/**
 * The console's search, Reports and team overview, for a signed-in agent's session (the
 * `ajuda_agent` cookie): search for any agent (R7 applies to every row), Reports and the team
 * overview for leads and administrators. The same figures are in the public API (api/v1/insights.ts).
 */

const list = <T extends z.ZodType>(item: T) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      if (!s) return undefined;
      const out: Array<z.output<T>> = [];
      for (const part of s.split(',')) {
        const r = item.safeParse(part.trim());
        if (!r.success) {
          ctx.addIssue({ code: 'custom', message: `unknown value "${part.trim()}"` });
          return z.NEVER;
        }
        out.push(r.data);
      }
      return out;
    });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'no such date');

export const SearchParams = z.object({
  q: z.string().max(200).default(''),
  status: list(z.enum(['intake', 'queued', 'assigned', 'resolved', 'closed'])),
  priority: list(z.enum(['P1', 'P2', 'P3', 'P4'])),
  language: list(z.enum(['pt', 'en', 'es'])),
  queue: list(z.enum(['support', 'project', 'leads'])),
  from: Day.optional(),
  to: Day.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const ReportParams = z.object({
  from: Day.optional(),
  to: Day.optional(),
  team: list(z.string().min(1).max(100)),
  priority: list(z.enum(['P1', 'P2', 'P3', 'P4'])),
  language: list(z.enum(['pt', 'en', 'es'])),
});

export const encodeCursor = (c: { updatedAt: string; id: string }) => Buffer.from(JSON.stringify([c.updatedAt, c.id])).toString('base64url');
export function decodeCursor(s: string | undefined): { updatedAt: string; id: string } | undefined | null {
  if (!s) return undefined;
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString()) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return { updatedAt: v[0], id: v[1] };
  } catch {
    // below
  }
  return null;
}

/** The search's inputs from validated params, or a reason the period is wrong. */
export function searchInput(svc: Services, q: z.output<typeof SearchParams>) {
  const cursor = decodeCursor(q.cursor);
  if (cursor === null) return { error: 'cursor: not a cursor this API gave' } as const;
  const from = q.from ? periodOf(q.from, q.from, svc.config.timeZone).start : undefined;
  const to = q.to ? periodOf(q.to, q.to, svc.config.timeZone).end : undefined;
  if (from && to && from >= to) return { error: 'from: must be on or before to' } as const;
  return {
    input: {
      q: q.q, limit: q.limit,
      ...(q.status ? { status: q.status } : {}), ...(q.priority ? { priority: q.priority } : {}), ...(q.language ? { language: q.language } : {}), ...(q.queue ? { queue: q.queue } : {}),
      ...(from ? { createdFrom: from } : {}), ...(to ? { createdTo: to } : {}), ...(cursor ? { before: cursor } : {}),
    },
  } as const;
}

/** The report for validated params: the period defaults to the last 7 local days, at most 366. */
export async function reportFor(svc: Services, q: z.output<typeof ReportParams>): Promise<Report | { error: string }> {
  const tz = svc.config.timeZone;
  if (!isTimeZone(tz)) return { error: 'the server time zone is unknown' };
  const today = localTime(svc.clock.now().getTime(), tz).date;
  const to = q.to ?? today;
  const from = q.from ?? new Date(Date.parse(`${to}T00:00:00Z`) - 6 * 86_400_000).toISOString().slice(0, 10);
  if (from > to) return { error: 'from: must be on or before to' };
  if (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`) > 366 * 86_400_000) return { error: 'the period is at most 366 days' };
  const { start, end } = periodOf(from, to, tz);
  const [events, help] = await Promise.all([svc.store.conversationEvents({ from: start, to: end }), svc.store.articles.articleStats(from)]);
  const filters = { ...(q.team ? { teams: q.team } : {}), ...(q.priority ? { priorities: q.priority } : {}), ...(q.language ? { languages: q.language } : {}) };
  return computeReport(events, { from, to, timeZone: tz, start, end }, filters, help);
}

/** What the console's search shows of a conversation. */
export function searchRow(c: ConversationRow) {
  return {
    id: c.id, requesterName: c.requesterName, requesterEmail: c.requesterEmail, realmId: c.realmId, status: c.status, priority: c.priority, language: c.language,
    queue: c.queue, team: c.team, assigneeId: c.assigneeId, requestType: c.requestType, createdAt: c.createdAt, updatedAt: c.updatedAt,
  };
}

export async function insightRoutes(app: FastifyInstance, svc: Services): Promise<void> {
  async function agentOf(req: FastifyRequest, reply: FastifyReply, leads: boolean): Promise<AgentPrincipal | null> {
    const token = req.cookies[AGENT_COOKIE];
    const s = token ? await svc.store.findSession(sha256(token)) : undefined;
    const a = s && !s.endedAt && new Date(s.expiresAt) > svc.clock.now() ? await svc.store.getAgent(s.agentId) : undefined;
    if (!token || !a || a.disabled) {
      problem(reply, 'auth_failed');
      return null;
    }
    if (leads && a.role !== 'lead' && a.role !== 'admin') {
      problem(reply, 'forbidden', 'leads and administrators only');
      return null;
    }
    return { kind: 'agent', agentId: a.id, name: a.name, role: a.role, languages: a.languages as AgentPrincipal['languages'], teams: a.teams, sessionHash: sha256(token) };
  }

  app.get('/api/agent/search', async (req, reply) => {
    const p = await agentOf(req, reply, false);
    if (!p) return reply;
    const q = SearchParams.safeParse(req.query);
    if (!q.success) return problem(reply, 'bad_request', z.prettifyError(q.error));
    const s = searchInput(svc, q.data);
    if ('error' in s) return problem(reply, 'bad_request', s.error);
    const r = await searchConversations(svc, p, s.input);
    return reply.send({ results: r.conversations.map(searchRow), nextCursor: r.next ? encodeCursor(r.next) : null });
  });

  const report = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = await agentOf(req, reply, true);
    if (!p) return null;
    const q = ReportParams.safeParse(req.query);
    if (!q.success) {
      problem(reply, 'bad_request', z.prettifyError(q.error));
      return null;
    }
    const r = await reportFor(svc, q.data);
    if ('error' in r) {
      problem(reply, 'bad_request', r.error);
      return null;
    }
    return r;
  };
  app.get('/api/agent/reports', async (req, reply) => {
    const r = await report(req, reply);
    return r ? reply.send(r) : reply;
  });
  app.get('/api/agent/reports.csv', async (req, reply) => {
    const r = await report(req, reply);
    if (!r) return reply;
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="ajuda-report-${r.period.from}-${r.period.to}.csv"`)
      .send(reportCsv(r));
  });

  app.get('/api/agent/team', async (req, reply) => {
    const p = await agentOf(req, reply, true);
    if (!p) return reply;
    const q = z.object({ team: z.string().min(1).max(100).optional() }).safeParse(req.query);
    if (!q.success) return problem(reply, 'bad_request', z.prettifyError(q.error));
    return reply.send(await teamOverview(svc, p, q.data.team ? { team: q.data.team } : {}));
  });
}
