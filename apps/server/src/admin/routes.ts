import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Agent, AuditEntry, CannedReply, RealmSeed } from '@ajuda/db';
import { mayAdminister, mayChangeAgent, mayDisableAgent, mayManageAgent, type AdminActor } from '@ajuda/policy';
import type { AgentRole, Locale } from '@ajuda/protocol';
import type { Services } from '../context.ts';
import { hashPassword, randomToken, safeEqual, sha256, shortId } from '../crypto.ts';
import { problem } from '../http/problem.ts';
import { AGENT_COOKIE } from '../http/routes.ts';
import { passwordProblem } from './passwords.ts';
import { AgentCreate, AgentPatch, CannedCreate, CannedPatch, InviteLookup, RealmBody, RealmLoad, SetPassword, SlaTierPut, Slug, TeamCreate, TeamRename } from './schemas.ts';
import { DEFAULT_TIER } from './sla-tiers.ts';

/** How long a set-password link works: an invitation a week, a reset a day. */
export const INVITE_TTL_MS = { invite: 7 * 86_400_000, reset: 86_400_000 } as const;

/** Who is administering: an admin or lead signed in to the console, or the operator's AJUDA_ADMIN_TOKEN. */
interface Actor extends AdminActor {
  /** `agent:<id>` or `admin-token`, as the audit log names them. */
  audit: string;
}

/** What administrators see of an agent (never the password hash). */
export function agentAdminView(a: Agent) {
  return { id: a.id, email: a.email, name: a.name, role: a.role, languages: a.languages, teams: a.teams, disabled: a.disabled };
}

const bearer = (h: string | undefined) => (h?.startsWith('Bearer ') ? h.slice(7) : '');
const bad = (reply: FastifyReply, err: z.ZodError) => problem(reply, 'bad_request', z.prettifyError(err));

/**
 * The administration API under /api/admin: agents (create or invite, edit, reset, disable/enable),
 * teams, canned replies, SLA tiers and the realm directory (one realm or the bulk load). Answered
 * for an admin's or a lead's console session (the `ajuda_agent` cookie) or the AJUDA_ADMIN_TOKEN
 * bearer; leads manage the members of their own teams only (packages/policy admin.ts). Every change
 * writes an audit row in its own transaction. Plus, for anyone holding a link, the set-password
 * endpoints under /api/agent, and the canned replies any signed-in agent inserts.
 */
export async function adminRoutes(app: FastifyInstance, svc: Services): Promise<void> {
  const now = () => svc.clock.iso();

  async function sessionAgent(req: FastifyRequest): Promise<Agent | undefined> {
    const token = req.cookies[AGENT_COOKIE];
    if (!token) return undefined;
    const s = await svc.store.findSession(sha256(token));
    if (!s || s.endedAt || new Date(s.expiresAt) <= svc.clock.now()) return undefined;
    const a = await svc.store.getAgent(s.agentId);
    return a && !a.disabled ? a : undefined;
  }

  /** The actor, or a problem already sent: 401 without credentials, 403 for a role that administers nothing. */
  async function actorOf(req: FastifyRequest, reply: FastifyReply, need: 'admin' | 'lead'): Promise<Actor | null> {
    const h = req.headers.authorization;
    if (h) {
      if (safeEqual(bearer(h), svc.config.adminToken)) return { id: 'admin-token', role: 'admin', teams: [], audit: 'admin-token' };
      problem(reply, 'auth_failed');
      return null;
    }
    const a = await sessionAgent(req);
    if (!a) {
      problem(reply, 'auth_failed');
      return null;
    }
    const actor: Actor = { id: a.id, role: a.role, teams: a.teams, audit: `agent:${a.id}` };
    if (mayAdminister(actor) || (need === 'lead' && actor.role === 'lead')) return actor;
    problem(reply, 'forbidden', need === 'admin' ? 'administrators only' : 'administrators and leads only');
    return null;
  }
  const entry = (actor: Actor, action: string, detail: object): AuditEntry => ({ actor: actor.audit, action, detail });
  const param = (req: FastifyRequest, name = 'id') => (req.params as Record<string, string>)[name] ?? '';

  async function unknownTeams(teams: readonly string[]): Promise<string[]> {
    if (!teams.length) return [];
    const known = new Set((await svc.store.admin.listTeams()).map((t) => t.id));
    return teams.filter((t) => !known.has(t));
  }

  /** A one-time set-password link: the token goes to the administrator once; only its hash is stored. */
  async function newLink(actor: Actor, agentId: string, purpose: 'invite' | 'reset') {
    const token = randomToken('pw_', 32);
    const createdAt = now();
    const expiresAt = new Date(svc.clock.now().getTime() + INVITE_TTL_MS[purpose]).toISOString();
    const ok = await svc.store.admin.createInvite(
      { tokenHash: sha256(token), agentId, purpose, createdBy: actor.audit, createdAt, expiresAt },
      entry(actor, purpose === 'invite' ? 'agent.invited' : 'agent.reset_link', { agentId, expiresAt }),
    );
    // The token rides in the fragment: browsers never send it to a server (nor in a Referer).
    return ok ? { link: `${svc.config.publicUrl}/console/#/set-password/${token}`, expiresAt } : null;
  }

  // ── agents ──
  app.get('/api/admin/agents', async (req, reply) => {
    const actor = await actorOf(req, reply, 'lead');
    if (!actor) return reply;
    const agents = (await svc.store.listAgents()).filter((a) => a.id === actor.id || mayManageAgent(actor, a));
    return reply.send({ agents: agents.map(agentAdminView) });
  });

  app.post('/api/admin/agents', async (req, reply) => {
    const actor = await actorOf(req, reply, 'lead');
    if (!actor) return reply;
    const body = AgentCreate.safeParse(req.body);
    if (!body.success) return bad(reply, body.error);
    const b = body.data;
    const id = shortId('ag');
    if (!mayChangeAgent(actor, null, { id, role: b.role, teams: b.teams })) return problem(reply, 'forbidden', 'a lead adds agents or project-team members to their own teams only');
    const missing = await unknownTeams(b.teams);
    if (missing.length) return problem(reply, 'bad_request', `no such team: ${missing.join(', ')}`);
    if (b.password !== undefined) {
      const why = passwordProblem(b.password);
      if (why) return problem(reply, 'bad_request', why);
    }
    const agent: Agent = {
      id,
      email: b.email,
      name: b.name,
      // Invited: a random password nobody knows until the link sets one (same sign-in cost as any other).
      passwordHash: hashPassword(b.password ?? randomToken('', 32)),
      role: b.role,
      languages: b.languages as Locale[],
      teams: b.teams,
      available: true,
      disabled: false,
    };
    const created = await svc.store.admin.createAgent(agent, now(), entry(actor, 'agent.created', { agentId: id, email: b.email, role: b.role, teams: b.teams, invited: b.password === undefined }));
    if (!created) return problem(reply, 'invalid_state', 'an agent with this email exists');
    const link = b.password === undefined ? await newLink(actor, id, 'invite') : null;
    return reply.code(201).send({ agent: agentAdminView(agent), ...(link ? { invite: link } : {}) });
  });

  /** The agent named in the path, if this actor manages them; otherwise a 404 is sent (R7a-like: no hint it exists). */
  async function managed(req: FastifyRequest, reply: FastifyReply, actor: Actor): Promise<Agent | null> {
    const a = await svc.store.getAgent(param(req));
    if (!a || !mayManageAgent(actor, a)) {
      problem(reply, 'not_found', 'no such agent');
      return null;
    }
    return a;
  }

  app.patch('/api/admin/agents/:id', async (req, reply) => {
    const actor = await actorOf(req, reply, 'lead');
    if (!actor) return reply;
    const body = AgentPatch.safeParse(req.body);
    if (!body.success) return bad(reply, body.error);
    const cur = await managed(req, reply, actor);
    if (!cur) return reply;
    const next = { id: cur.id, role: (body.data.role ?? cur.role) as AgentRole, teams: body.data.teams ?? cur.teams };
    if (!mayChangeAgent(actor, cur, next)) return problem(reply, 'forbidden', actor.role === 'admin' ? 'an admin keeps their own admin role' : 'a lead gives the agent or project-team role and moves their own teams only');
    const missing = await unknownTeams(body.data.teams ?? []);
    if (missing.length) return problem(reply, 'bad_request', `no such team: ${missing.join(', ')}`);
    const patch = { ...body.data, ...(body.data.languages ? { languages: body.data.languages as Locale[] } : {}) };
    const updated = await svc.store.admin.updateAgent(cur.id, patch, now(), entry(actor, 'agent.updated', { agentId: cur.id, ...body.data }));
    if (!updated) return problem(reply, 'not_found', 'no such agent');
    return reply.send({ agent: agentAdminView(updated) });
  });

  app.post('/api/admin/agents/:id/reset', async (req, reply) => {
    const actor = await actorOf(req, reply, 'lead');
    if (!actor) return reply;
    const a = await managed(req, reply, actor);
    if (!a) return reply;
    const link = await newLink(actor, a.id, 'reset');
    if (!link) return problem(reply, 'not_found', 'no such agent');
    return reply.code(201).send({ reset: link });
  });

  /** Disable: the agent's sessions end and their sockets close at once, on every process. */
  app.post('/api/admin/agents/:id/disable', async (req, reply) => {
    const actor = await actorOf(req, reply, 'lead');
    if (!actor) return reply;
    const a = await managed(req, reply, actor);
    if (!a) return reply;
    if (!mayDisableAgent(actor, a)) return problem(reply, 'forbidden', 'nobody disables their own account');
    if (!(await svc.store.disableAgent(a.id, now(), entry(actor, 'agent.disabled', { agentId: a.id })))) return problem(reply, 'not_found', 'no such agent');
    await svc.events.emit('agent.ended', { agentId: a.id, reason: 'disabled' });
    return reply.code(204).send();
  });

  app.post('/api/admin/agents/:id/enable', async (req, reply) => {
    const actor = await actorOf(req, reply, 'lead');
    if (!actor) return reply;
    const a = await managed(req, reply, actor);
    if (!a) return reply;
    if (!(await svc.store.admin.enableAgent(a.id, now(), entry(actor, 'agent.enabled', { agentId: a.id })))) return problem(reply, 'not_found', 'no such agent');
    return reply.code(204).send();
  });

  // ── teams ──
  app.get('/api/admin/teams', async (req, reply) => {
    const actor = await actorOf(req, reply, 'lead');
    if (!actor) return reply;
    const teams = await svc.store.admin.listTeams();
    return reply.send({ teams: mayAdminister(actor) ? teams : teams.filter((t) => actor.teams.includes(t.id)) });
  });

  app.post('/api/admin/teams', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const body = TeamCreate.safeParse(req.body);
    if (!body.success) return bad(reply, body.error);
    const id = body.data.id ?? slugify(body.data.name);
    if (!Slug.safeParse(id).success) return problem(reply, 'bad_request', 'give the team an id: lower-case letters, digits, - and _');
    const at = now();
    if (!(await svc.store.admin.createTeam({ id, name: body.data.name }, at, entry(actor, 'team.created', { teamId: id, name: body.data.name })))) return problem(reply, 'invalid_state', 'a team with this id exists');
    return reply.code(201).send({ team: { id, name: body.data.name, createdAt: at, members: 0 } });
  });

  app.patch('/api/admin/teams/:id', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const body = TeamRename.safeParse(req.body);
    if (!body.success) return bad(reply, body.error);
    const id = param(req);
    if (!(await svc.store.admin.renameTeam(id, body.data.name, now(), entry(actor, 'team.renamed', { teamId: id, name: body.data.name })))) return problem(reply, 'not_found', 'no such team');
    return reply.send({ team: (await svc.store.admin.listTeams()).find((t) => t.id === id) });
  });

  app.delete('/api/admin/teams/:id', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const id = param(req);
    const r = await svc.store.admin.deleteTeam(id, now(), entry(actor, 'team.deleted', { teamId: id }));
    if (r === 'not_found') return problem(reply, 'not_found', 'no such team');
    if (r === 'in_use') return problem(reply, 'invalid_state', 'the team still has members or projects: move them first');
    return reply.code(204).send();
  });

  // ── canned replies ──
  const Lang = z.object({ language: z.enum(['pt', 'en', 'es']).optional() });
  app.get('/api/admin/canned', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const q = Lang.safeParse(req.query);
    if (!q.success) return bad(reply, q.error);
    return reply.send({ canned: await svc.store.admin.listCanned(q.data.language) });
  });

  app.post('/api/admin/canned', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const body = CannedCreate.safeParse(req.body);
    if (!body.success) return bad(reply, body.error);
    const c: CannedReply = { id: shortId('cr'), ...body.data, updatedAt: now() };
    const r = await svc.store.admin.createCanned(c, entry(actor, 'canned.created', { cannedId: c.id, language: c.language, shortcut: c.shortcut }));
    if (r === 'taken') return problem(reply, 'invalid_state', `/${c.shortcut} already exists in this language`);
    return reply.code(201).send({ canned: c });
  });

  app.patch('/api/admin/canned/:id', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const body = CannedPatch.safeParse(req.body);
    if (!body.success) return bad(reply, body.error);
    const id = param(req);
    const r = await svc.store.admin.updateCanned(id, body.data, now(), entry(actor, 'canned.updated', { cannedId: id, ...body.data }));
    if (r === 'not_found') return problem(reply, 'not_found', 'no such canned reply');
    if (r === 'taken') return problem(reply, 'invalid_state', 'that shortcut already exists in this language');
    return reply.send({ canned: r });
  });

  app.delete('/api/admin/canned/:id', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const id = param(req);
    if (!(await svc.store.admin.deleteCanned(id, now(), entry(actor, 'canned.deleted', { cannedId: id })))) return problem(reply, 'not_found', 'no such canned reply');
    return reply.code(204).send();
  });

  /** Any signed-in agent: the canned replies of one language, for `/shortcut` in the composer. */
  app.get('/api/agent/canned', async (req, reply) => {
    if (!(await sessionAgent(req))) return problem(reply, 'auth_failed');
    const q = Lang.safeParse(req.query);
    if (!q.success) return bad(reply, q.error);
    const rows = await svc.store.admin.listCanned(q.data.language);
    return reply.send({ canned: rows.map(({ id, language, shortcut, title, body }) => ({ id, language, shortcut, title, body })) });
  });

  // ── SLA tiers (R10) ──
  app.get('/api/admin/sla-tiers', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const [stored, tiers] = await Promise.all([svc.store.admin.listSlaTiers(), svc.store.admin.contractTiers()]);
    const realms = (id: string) => [...tiers.values()].filter((t) => t === id).length;
    return reply.send({ tiers: svc.slaTiers.list(stored).map((t) => ({ ...t, realms: realms(t.id) })) });
  });

  app.put('/api/admin/sla-tiers/:id', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const id = param(req);
    if (!Slug.safeParse(id).success) return problem(reply, 'bad_request', 'a tier id is lower-case letters, digits, - and _');
    const body = SlaTierPut.safeParse(req.body);
    if (!body.success) return bad(reply, body.error);
    const r = await svc.store.admin.putSlaTier({ id, ...body.data, updatedAt: now() }, entry(actor, 'sla_tier.saved', { tierId: id, ...body.data }));
    await svc.slaTiers.refresh();
    const tier = svc.slaTiers.list(await svc.store.admin.listSlaTiers()).find((t) => t.id === id);
    return reply.code(r.created ? 201 : 200).send({ tier });
  });

  app.delete('/api/admin/sla-tiers/:id', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const id = param(req);
    if (id === DEFAULT_TIER) return problem(reply, 'invalid_state', 'the default tier always exists (save it to change its targets)');
    const r = await svc.store.admin.deleteSlaTier(id, now(), entry(actor, 'sla_tier.deleted', { tierId: id }));
    if (r === 'not_found') return problem(reply, 'not_found', 'no such tier');
    if (r === 'in_use') return problem(reply, 'invalid_state', 'a contract names this tier: move those realms to another tier first');
    await svc.slaTiers.refresh();
    return reply.code(204).send();
  });

  // ── the realm directory ──
  async function unknownTier(realms: Array<{ contract?: { tier?: string } | null }>): Promise<string | null> {
    const named = new Set(realms.map((r) => r.contract?.tier).filter((t): t is string => !!t && t !== DEFAULT_TIER));
    if (!named.size) return null;
    const known = new Set((await svc.store.admin.listSlaTiers()).map((t) => t.id));
    return [...named].find((t) => !known.has(t)) ?? null;
  }
  const seed = (id: string, r: z.infer<typeof RealmBody>): RealmSeed => ({ ...r, id, contract: r.contract ?? null });

  app.get('/api/admin/realms', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    return reply.send({ realms: await svc.store.admin.listRealms() });
  });

  /** Make one realm exactly this (idempotent): a directory sync's upsert. */
  app.put('/api/admin/realms/:id', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const id = param(req);
    if (!id || id.length > 64) return problem(reply, 'bad_request', 'a realm id has 1–64 characters');
    const body = RealmBody.safeParse(req.body);
    if (!body.success) return bad(reply, body.error);
    if (body.data.id !== undefined && body.data.id !== id) return problem(reply, 'bad_request', 'the body names another realm than the path');
    const tier = await unknownTier([body.data]);
    if (tier) return problem(reply, 'bad_request', `no such SLA tier: ${tier}`);
    const r = await svc.store.admin.putRealm(seed(id, body.data), now(), entry(actor, 'realm.put', { realmId: id, contract: body.data.contract ?? null, projects: body.data.projects.length, pipelines: body.data.pipelines.length }));
    await svc.slaTiers.refresh();
    return reply.code(r.created ? 201 : 200).send({ realm: (await svc.store.admin.listRealms()).find((x) => x.id === id) });
  });

  /** Remove one realm (idempotent: an absent realm answers 204 too). */
  app.delete('/api/admin/realms/:id', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const id = param(req);
    await svc.store.admin.deleteRealm(id, now(), entry(actor, 'realm.deleted', { realmId: id }));
    await svc.slaTiers.refresh();
    return reply.code(204).send();
  });

  /** Load realm directory data (realms, contracts, projects, pipelines) from the platform, many at once. */
  app.post('/api/admin/realms', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const body = RealmLoad.safeParse(req.body);
    if (!body.success) return bad(reply, body.error);
    const tier = await unknownTier(body.data);
    if (tier) return problem(reply, 'bad_request', `no such SLA tier: ${tier}`);
    const at = now();
    await svc.directory.load(body.data.map((r) => seed(r.id, r)), at);
    await svc.store.audit({ actor: actor.audit, action: 'realms.loaded', detail: { realms: body.data.map((r) => r.id) }, conversationId: null, realmId: null, at });
    await svc.slaTiers.refresh();
    return reply.send({ loaded: body.data.length });
  });

  app.get('/api/admin/audit', async (req, reply) => {
    const actor = await actorOf(req, reply, 'admin');
    if (!actor) return reply;
    const q = z.object({ limit: z.coerce.number().int().min(1).max(500).default(100) }).safeParse(req.query);
    if (!q.success) return bad(reply, q.error);
    return reply.send({ audit: await svc.store.admin.recentAudit(q.data.limit) });
  });

  // ── set-password links (no session: the link is the credential) ──
  const linkLimit = { config: { rateLimit: { max: svc.config.limits.loginPerMinute, timeWindow: 60_000 } } };

  /** What the set-password page shows: whose link it is. Unknown, used and expired links look the same. */
  app.post('/api/agent/invite', linkLimit, async (req, reply) => {
    const body = InviteLookup.safeParse(req.body);
    if (!body.success) return bad(reply, body.error);
    const inv = await svc.store.admin.findInvite(sha256(body.data.token));
    const a = inv && !inv.usedAt && inv.expiresAt > now() ? await svc.store.getAgent(inv.agentId) : undefined;
    if (!inv || !a || a.disabled) return problem(reply, 'not_found', 'this link is unknown, already used or expired: ask your administrator for a new one');
    return reply.send({ name: a.name, email: a.email, purpose: inv.purpose, expiresAt: inv.expiresAt });
  });

  app.post('/api/agent/password', linkLimit, async (req, reply) => {
    const body = SetPassword.safeParse(req.body);
    if (!body.success) return bad(reply, body.error);
    const why = passwordProblem(body.data.password);
    if (why) return problem(reply, 'bad_request', why);
    const h = sha256(body.data.token);
    const inv = await svc.store.admin.findInvite(h);
    const a = await svc.store.admin.redeemInvite(h, hashPassword(body.data.password), now(), { actor: inv ? `agent:${inv.agentId}` : 'unknown', action: 'agent.password_set', detail: { agentId: inv?.agentId, purpose: inv?.purpose } });
    if (!a) return problem(reply, 'not_found', 'this link is unknown, already used or expired: ask your administrator for a new one');
    // A reset signs every device out: their sockets end now, on every process.
    await svc.events.emit('agent.ended', { agentId: a.id, reason: 'logout' });
    return reply.send({ email: a.email });
  });
}

function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
}
