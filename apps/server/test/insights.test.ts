import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type Conversation, type Store } from '@ajuda/db';
import { periodOf } from '../src/insights/period.ts';
import { computeReport, percentile, PRIORITIES, type Report } from '../src/insights/reports.ts';
import { searchConversations } from '../src/insights/search.ts';
import type { AgentPrincipal } from '../src/session/principal.ts';
import { startTestStack, type TestStack } from '../src/testing.ts';

/**
 * Reports and search end to end on the store the suite runs on (SQLite in `pnpm test`, PostgreSQL
 * in `pnpm test:pg`): random histories written through the store's commands, whose figures (from the
 * events log the commands wrote) must equal a plain reference computed from the history itself;
 * random access setups in which an agent finds exactly the conversations they may open (R7); and the
 * console's and the API's routes.
 */

// ── reports: property ──

type Step = 'req' | 'agent' | 'system' | 'note' | 'resolve' | 'reopen' | 'escalate' | 'breachF' | 'breachR' | 'yes' | 'no';
interface Hist {
  priority: NonNullable<Conversation['priority']>;
  language: Conversation['language'];
  team: string | null;
  startMin: number;
  steps: Array<{ step: Step; gapMin: number }>;
}
const histArb = fc.record({
  priority: fc.constantFrom(...PRIORITIES),
  language: fc.constantFrom('pt' as const, 'en' as const, 'es' as const),
  team: fc.constantFrom(null, 'red', 'blue'),
  startMin: fc.integer({ min: 0, max: 3 * 24 * 60 }),
  steps: fc.array(fc.record({ step: fc.constantFrom<Step>('req', 'agent', 'system', 'note', 'resolve', 'reopen', 'escalate', 'breachF', 'breachR', 'yes', 'no'), gapMin: fc.integer({ min: 1, max: 600 }) }), { maxLength: 10 }),
});
const T0 = Date.UTC(2026, 2, 1);
const at = (min: number) => new Date(T0 + min * 60_000).toISOString();

/** Play a history through the store's commands; answers what actually happened (steps the state refused are skipped), with times. */
async function play(s: Store, id: string, h: Hist): Promise<Array<{ step: Step | 'queued'; t: number }>> {
  const done: Array<{ step: Step | 'queued'; t: number }> = [];
  let t = h.startMin;
  await s.startConversation(
    { id, channel: 'website', requesterKind: 'visitor', ownerKey: `v:${id}`, visitorId: id, realmId: null, userId: null, requesterName: null, requesterEmail: null, claims: null, contractMatch: 'unknown', requestType: 'general_question', language: h.language, idempotencyKey: id, at: at(t) },
    { actor: 'requester', action: 'conversation.started' },
  );
  await s.completeIntake(id, () => ({ at: at(t), patch: { status: 'queued', priority: h.priority, queue: 'support', team: h.team, queuedAt: at(t), updatedAt: at(t) }, audit: [{ actor: 'system', action: 'intake.completed' }] }));
  done.push({ step: 'queued', t });
  let status: 'queued' | 'resolved' = 'queued';
  let escalated = false;
  let feedback = false;
  const breaches = new Set<string>();
  for (const { step, gapMin } of h.steps) {
    t += gapMin;
    const msg = (sender: string, kind: 'text' | 'note', who: 'requester' | 'agent' | null) =>
      s.appendMessage({ conversationId: id, sender, senderName: null, kind, body: step, clientMsgId: null, at: at(t), who });
    switch (step) {
      case 'req':
        if (status !== 'queued') continue;
        await msg('requester', 'text', 'requester');
        break;
      case 'agent':
        await msg('agent:ag_x', 'text', 'agent');
        break;
      case 'system':
        await msg('agent:system', 'text', 'agent');
        break;
      case 'note':
        await msg('agent:ag_x', 'note', null);
        break;
      case 'resolve':
        if (status !== 'queued') continue;
        await s.resolve(id, { status: 'queued' }, () => ({ at: at(t), patch: { status: 'resolved', resolvedAt: at(t), updatedAt: at(t) }, audit: [{ actor: 'agent:ag_x', action: 'conversation.resolved' }] }));
        status = 'resolved';
        break;
      case 'reopen':
        if (status !== 'resolved') continue;
        await s.reopen(id, { status: 'resolved' }, () => ({ at: at(t), patch: { status: 'queued', resolvedAt: null, updatedAt: at(t) }, audit: [{ actor: 'requester', action: 'conversation.reopened' }] }));
        status = 'queued';
        break;
      case 'escalate':
        if (escalated) continue;
        await s.escalate(id, {}, () => ({ at: at(t), patch: { escalated: true, updatedAt: at(t) }, audit: [{ actor: 'requester', action: 'escalated' }] }));
        escalated = true;
        break;
      case 'breachF':
      case 'breachR': {
        const clock = step === 'breachF' ? 'first_response' : 'resolution';
        await s.recordBreaches([{ id, clock }], at(t));
        if (breaches.has(clock)) continue;
        breaches.add(clock);
        break;
      }
      case 'yes':
      case 'no':
        if (status !== 'resolved' || feedback) continue;
        await s.recordFeedback(id, {}, () => ({ at: at(t), patch: { feedback: { answered: step === 'yes' }, updatedAt: at(t) } }));
        feedback = true;
        break;
    }
    done.push({ step, t });
  }
  return done;
}

/** The reference: the figures computed by walking each history forward, in plain TypeScript. */
function reference(hs: Array<{ h: Hist; done: Array<{ step: Step | 'queued'; t: number }> }>, fromMin: number, toMin: number, priorities: readonly string[]) {
  const inside = (h: Hist, t: number) => t >= fromMin && t < toMin && (!priorities.length || priorities.includes(h.priority));
  const waits: number[] = [];
  const sla = Object.fromEntries(PRIORITIES.map((p) => [p, { fm: 0, fmiss: 0, rm: 0, rmiss: 0 }]));
  let queued = 0, escalated = 0, resolved = 0, reopened = 0, feedback = 0, yes = 0;
  const hours = Array.from({ length: 24 }, () => 0);
  const volume = new Map<string, number>();
  for (const { h, done } of hs) {
    let waitingSince: number | null = null;
    const has = (step: string) => done.some((d) => d.step === step);
    for (let i = 0; i < done.length; i++) {
      const { step, t } = done[i]!;
      if (step === 'queued' || step === 'reopen') waitingSince = inside(h, t) ? t : null;
      if (step === 'resolve') waitingSince = null;
      if (step === 'agent' && waitingSince !== null) {
        waits.push((t - waitingSince) * 60);
        waitingSince = null;
      }
      if (!inside(h, t)) continue;
      if (step === 'queued') {
        queued++;
        if (has('escalate')) escalated++;
        const x = sla[h.priority]!;
        if (has('breachF')) x.fmiss++;
        else if (has('agent') || has('system')) x.fm++;
        if (has('breachR')) x.rmiss++;
        else if (has('resolve')) x.rm++;
        hours[Math.floor((T0 / 60_000 + t) / 60) % 24]!++;
        const key = `${h.priority}|${h.language}`;
        volume.set(key, (volume.get(key) ?? 0) + 1);
      }
      if (step === 'resolve') {
        resolved++;
        if (done.slice(i + 1).some((d) => d.step === 'reopen')) reopened++;
      }
      if (step === 'yes' || step === 'no') {
        feedback++;
        if (step === 'yes') yes++;
      }
    }
  }
  waits.sort((a, b) => a - b);
  const rate = (y: number, of: number) => ({ of, yes: y, rate: of ? y / of : null });
  return {
    firstResponse: { count: waits.length, medianSeconds: percentile(waits, 0.5), p90Seconds: percentile(waits, 0.9) },
    sla: PRIORITIES.map((priority) => ({ priority, firstResponse: rate(sla[priority]!.fm, sla[priority]!.fm + sla[priority]!.fmiss), resolution: rate(sla[priority]!.rm, sla[priority]!.rm + sla[priority]!.rmiss) })),
    answeredYes: rate(yes, feedback),
    reopened: rate(reopened, resolved),
    escalated: rate(escalated, queued),
    hours,
    volume: [...volume.entries()].sort(),
  };
}
const comparable = (r: Report) => ({
  firstResponse: r.firstResponse, sla: r.sla, answeredYes: r.answeredYes, reopened: r.reopened, escalated: r.escalated, hours: r.hours,
  volume: r.volume.map((v) => [`${v.priority}|${v.language}`, v.count] as [string, number]).sort(),
});

describe('Reports figures equal a plain reference computation (random histories through the store)', () => {
  it('first response median and p90, SLA per priority, yes-rate, reopen and escalation rates, volume, hours', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(histArb, { minLength: 1, maxLength: 6 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.subarray([...PRIORITIES]), async (hists, fromDay, days, priorities) => {
        const s = await openTestStore();
        try {
          run++;
          const played = [];
          for (const [i, h] of hists.entries()) played.push({ h, done: await play(s, `R${run}-${i}`, h) });
          const from = new Date(T0 + fromDay * 86_400_000).toISOString().slice(0, 10);
          const to = new Date(T0 + (fromDay + days - 1) * 86_400_000).toISOString().slice(0, 10);
          const period = { from, to, timeZone: 'UTC', ...periodOf(from, to, 'UTC') };
          const report = computeReport(await s.conversationEvents({ from: period.start, to: period.end }), period, priorities.length ? { priorities } : {});
          expect(comparable(report)).toEqual(reference(played, fromDay * 1440, (fromDay + days) * 1440, priorities));
        } finally {
          await s.close();
        }
      }),
      { numRuns: process.env.AJUDA_STORE === 'pg' ? 15 : 40 },
    );
  });
});

// ── search: R7 and the routes ──

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ AJUDA_TIMEZONE: 'Europe/Lisbon' }, { demo: false });
});
afterAll(async () => {
  await stack?.close();
});
const svc = () => stack.app.ajuda.svc;

async function login(email: string): Promise<string> {
  const res = await fetch(`${stack.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'ajuda-demo' }) });
  expect(res.status).toBe(200);
  return res.headers.get('set-cookie')!.split(';')[0]!;
}
const get = (cookie: string | null, path: string) => fetch(`${stack.url}${path}`, { headers: cookie ? { cookie } : {} });

let made = 0;
async function conversation(over: { queue?: Conversation['queue']; team?: string | null; assigneeId?: string | null; body?: string; name?: string; language?: Conversation['language'] } = {}): Promise<string> {
  const id = `AJ-${String(++made).padStart(12, '0')}`.replace(/^AJ-0/, 'AJ-Z');
  const store = svc().store;
  const now = new Date().toISOString();
  await store.startConversation(
    { id, channel: 'website', requesterKind: 'visitor', ownerKey: `v:${id}`, visitorId: id, realmId: null, userId: null, requesterName: over.name ?? null, requesterEmail: null, claims: null, contractMatch: 'unknown', requestType: 'general_question', language: over.language ?? 'pt', idempotencyKey: id, at: now },
    { actor: 'requester', action: 'conversation.started' },
  );
  await store.completeIntake(id, () => ({ at: now, patch: { status: over.assigneeId ? 'assigned' : 'queued', priority: 'P3', queue: over.queue ?? 'support', team: over.team ?? null, assigneeId: over.assigneeId ?? null, queuedAt: now, updatedAt: now } }));
  if (over.body) await store.appendMessage({ conversationId: id, sender: 'requester', senderName: null, kind: 'text', body: over.body, clientMsgId: null, at: now, who: 'requester' });
  return id;
}

describe('search respects R7 exactly like the inbox', () => {
  it('over random access setups, an agent finds exactly the matching conversations they may open', async () => {
    const roles = ['agent', 'lead', 'project-team', 'admin'] as const;
    let word = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ queue: fc.constantFrom('support' as const, 'project' as const, 'leads' as const), team: fc.constantFrom(null, 'red', 'blue'), assignee: fc.constantFrom(null, 'ag_1', 'ag_2') }), { minLength: 1, maxLength: 8 }),
        fc.record({ id: fc.constantFrom('ag_1', 'ag_2', 'ag_3'), role: fc.constantFrom(...roles), teams: fc.subarray(['red', 'blue']) }),
        async (convs, agent) => {
          const w = `palavra${++word}x`;
          const made: Array<{ id: string; queue: string; team: string | null; assignee: string | null }> = [];
          for (const c of convs) made.push({ id: await conversation({ queue: c.queue, team: c.team, assigneeId: c.assignee, body: `Uma ${w} com acentuação` }), ...c });
          const p: AgentPrincipal = { kind: 'agent', agentId: agent.id, name: agent.id, role: agent.role, languages: ['pt'], teams: agent.teams, sessionHash: 'h' };
          // The reference: R7 in plain words (assigned to them, or a queue their role serves).
          const may = (c: (typeof made)[number]) =>
            c.assignee === agent.id || agent.role === 'lead' || agent.role === 'admin' || (agent.role === 'agent' && c.queue === 'support') || (agent.role === 'project-team' && c.queue === 'project' && (c.team === null || agent.teams.includes(c.team)));
          const found = await searchConversations(svc(), p, { q: w, limit: 100 });
          expect(found.conversations.map((c) => c.id).sort()).toEqual(made.filter(may).map((c) => c.id).sort());
          // By id, the same rule: a conversation they may not open is not found by its id either.
          for (const c of made) expect((await searchConversations(svc(), p, { q: c.id.toLowerCase(), limit: 5 })).conversations.map((x) => x.id).includes(c.id)).toBe(may(c));
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('the console routes', () => {
  it('search: words with accents folded, id forms, filters; an agent never finds what they may not open', async () => {
    const support = await conversation({ body: 'Erro na configuração do SSO', name: 'Mariana Simões', language: 'pt' });
    const project = await conversation({ queue: 'project', team: 'acme-migration', body: 'A configuração da pipeline falhou' });
    const joao = await login('joao@ajuda.local'); // an agent: support queue only
    const pedro = await login('pedro@ajuda.local'); // project team acme-migration
    const ids = async (cookie: string, query: string) => {
      const r = await get(cookie, `/api/agent/search?${query}`);
      expect(r.status, await r.clone().text()).toBe(200);
      return ((await r.json()) as { results: Array<{ id: string }> }).results.map((x) => x.id);
    };
    expect(await ids(joao, 'q=configuracao')).toEqual([support]);
    expect(await ids(pedro, 'q=configuracao')).toEqual([project]);
    expect(await ids(joao, 'q=simoes')).toEqual([support]);
    expect(await ids(joao, `q=${support.slice(3).toLowerCase()}`)).toEqual([support]);
    expect(await ids(joao, `q=${encodeURIComponent(support)}`)).toEqual([support]);
    expect(await ids(joao, `q=${encodeURIComponent(project)}`)).toEqual([]);
    expect(await ids(joao, 'q=configuracao&language=en')).toEqual([]);
    expect(await ids(joao, 'q=configuracao&status=queued,assigned&priority=P3')).toEqual([support]);
    expect(await ids(joao, `q=${encodeURIComponent('"configuracao* (sso:^')}`)).toEqual([support]);
    // Bad input: a clear problem, never a server error.
    for (const bad of ['status=open', 'limit=0', 'from=2026-02-30', 'cursor=zzz', 'from=2026-03-02&to=2026-03-01']) {
      const r = await get(joao, `/api/agent/search?q=x&${bad}`);
      expect(r.status, bad).toBe(400);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect((await get(null, '/api/agent/search?q=x')).status).toBe(401);
  });

  it('reports and the team overview: leads and administrators only; the CSV is inert', async () => {
    const lea = await login('lea@ajuda.local');
    const joao = await login('joao@ajuda.local');
    expect((await get(joao, '/api/agent/reports')).status).toBe(403);
    expect((await get(joao, '/api/agent/team')).status).toBe(403);
    expect((await get(null, '/api/agent/reports')).status).toBe(401);
    const r = await get(lea, '/api/agent/reports');
    expect(r.status).toBe(200);
    const report = (await r.json()) as Report;
    expect(report.period.timeZone).toBe('Europe/Lisbon');
    expect(report.escalated.of).toBeGreaterThan(0);
    expect(report.hours).toHaveLength(24);
    expect(report.deflection.rate).toEqual({ of: report.deflection.answered + report.deflection.continued, yes: report.deflection.answered, rate: report.deflection.rate.of ? report.deflection.answered / report.deflection.rate.of : null });
    const csv = await get(lea, '/api/agent/reports.csv?priority=P3');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="ajuda-report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"/);
    expect(await csv.text()).toContain('first_response_median_seconds');
    for (const bad of ['from=2026-13-01', 'priority=P9', 'from=2026-03-02&to=2026-03-01', 'from=2020-01-01&to=2026-01-01'])
      expect((await get(lea, `/api/agent/reports?${bad}`)).status, bad).toBe(400);
    const team = await get(lea, '/api/agent/team');
    expect(team.status).toBe(200);
    const t = (await team.json()) as { agents: Array<{ id: string; online: boolean; open: number }>; queues: Array<{ queue: string; waiting: number; oldestId: string | null }> };
    expect(t.agents.map((a) => a.id)).toContain('ag_joao');
    expect(t.queues.find((q) => q.queue === 'support')!.waiting).toBeGreaterThan(0);
  });

  it('the public API: search and reports with a token (R7 for the token’s agent; reports for leads)', async () => {
    const OP = 'admin-token-0123456789abcdefghij';
    const token = async (agentId: string | null) =>
      (await (await fetch(`${stack.url}/api/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${OP}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `t-${agentId}`, scopes: ['conversations:read'], agentId }) })).json()) as { token: string };
    const id = await conversation({ queue: 'project', team: 'other-team', body: 'faturação duplicada' });
    const emma = (await token('ag_emma')).token;
    const lea = (await token('ag_lea')).token;
    const call = (t: string, path: string) => fetch(`${stack.url}/api/v1${path}`, { headers: { authorization: `Bearer ${t}` } });
    const found = (await (await call(lea, '/conversations/search?q=faturacao')).json()) as { conversations: Array<{ id: string }> };
    expect(found.conversations.map((c) => c.id)).toEqual([id]);
    expect(((await (await call(emma, '/conversations/search?q=faturacao')).json()) as { conversations: unknown[] }).conversations).toEqual([]);
    expect((await call(emma, '/reports')).status).toBe(403);
    const rep = await call(lea, '/reports?priority=P3');
    expect(rep.status).toBe(200);
    expect(((await rep.json()) as Report).sla).toHaveLength(4);
    expect((await call(lea, '/reports?from=nope')).status).toBe(400);
  });
});

describe('the deflection rate from the help centre’s daily counters', () => {
  it('over random counters, Reports (console and API) and the CSV give answered ÷ (answered + continued) of a plain sum over the period’s days and languages', async () => {
    const langs = ['pt', 'en', 'es'] as const;
    const day = (n: number) => `2025-01-${String(n).padStart(2, '0')}`;
    // Everything written so far (the store keeps it across runs), as plain rows.
    const written: Array<{ day: string; language: string; answered: number; continued: number; searches: number; opened: number; suggested: number }> = [];
    const lea = await login('lea@ajuda.local');
    const OP = 'admin-token-0123456789abcdefghij';
    const api = ((await (await fetch(`${stack.url}/api/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${OP}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 't-deflection', scopes: ['conversations:read'], agentId: 'ag_lea' }) })).json()) as { token: string }).token;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ day: fc.integer({ min: 1, max: 20 }), channel: fc.constantFrom('platform', 'login', 'website'), language: fc.constantFrom(...langs), answered: fc.nat(5), continued: fc.nat(5), searches: fc.nat(9), opened: fc.nat(5), suggested: fc.nat(9) }),
          { maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 10 }),
        fc.subarray([...langs]),
        async (rows, from, span, only) => {
          for (const r of rows) {
            await svc().store.articles.countArticleUse(day(r.day), r.channel, r.language, { answered: r.answered, continued: r.continued, searches: r.searches, opened: r.opened, suggested: r.suggested });
            written.push({ ...r, day: day(r.day) });
          }
          const to = Math.min(20, from + span);
          const inside = written.filter((w) => w.day >= day(from) && w.day <= day(to) && (!only.length || (only as string[]).includes(w.language)));
          const sum = (k: 'answered' | 'continued' | 'searches' | 'opened' | 'suggested', l?: string) => inside.filter((w) => !l || w.language === l).reduce((n, w) => n + w[k], 0);
          const expected = (l?: string) => {
            const yes = sum('answered', l);
            const of = yes + sum('continued', l);
            return { of, yes, rate: of ? yes / of : null };
          };
          const qs = `from=${day(from)}&to=${day(to)}${only.length ? `&language=${only.join(',')}` : ''}`;
          const report = (await (await get(lea, `/api/agent/reports?${qs}`)).json()) as Report;
          expect(report.deflection.rate).toEqual(expected());
          expect([report.deflection.searches, report.deflection.opened, report.deflection.suggested]).toEqual([sum('searches'), sum('opened'), sum('suggested')]);
          const present = langs.filter((l) => inside.some((w) => w.language === l)).sort();
          expect(report.deflection.byLanguage.map((b) => b.language)).toEqual(present);
          for (const b of report.deflection.byLanguage) expect(b.rate, b.language).toEqual(expected(b.language));
          const viaApi = (await (await fetch(`${stack.url}/api/v1/reports?${qs}`, { headers: { authorization: `Bearer ${api}` } })).json()) as Report;
          expect(viaApi.deflection).toEqual(report.deflection);
          const csv = await (await get(lea, `/api/agent/reports.csv?${qs}`)).text();
          const e = expected();
          expect(csv).toContain(`\r\ndeflection_percent,${e.of},${e.rate === null ? '' : Math.round(e.rate * 1000) / 10}\r\n`);
        },
      ),
      { numRuns: process.env.AJUDA_STORE === 'pg' ? 10 : 30 },
    );
  });
});
