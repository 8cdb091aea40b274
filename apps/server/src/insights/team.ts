import type { Services } from '../context.ts';
import type { AgentPrincipal } from '../session/principal.ts';

/** The team overview a lead reads: who is online and available, their open conversations, and each queue's waiting line. */
export interface TeamOverview {
  at: string;
  agents: Array<{ id: string; name: string; role: string; teams: string[]; online: boolean; available: boolean; open: number }>;
  /** Per queue and team: conversations waiting (status queued), the oldest one's id (only if the reader may open it) and since when. */
  queues: Array<{ queue: string; team: string | null; waiting: number; oldestId: string | null; oldestQueuedAt: string | null }>;
}

export async function teamOverview(svc: Services, p: AgentPrincipal, filter: { team?: string } = {}): Promise<TeamOverview> {
  const [agents, counts, waiting] = await Promise.all([svc.store.listAgents(), svc.store.openCounts(), svc.store.listWaiting()]);
  const online = svc.presence.online();
  const team = filter.team;
  const rows = agents
    .filter((a) => !a.disabled && (!team || a.teams.includes(team)))
    .map((a) => ({ id: a.id, name: a.name, role: a.role, teams: a.teams, online: online.has(a.id), available: a.available, open: counts.get(a.id) ?? 0 }))
    .sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
  const queues = new Map<string, TeamOverview['queues'][number]>();
  // listWaiting is oldest first: the first row of each queue is its oldest.
  for (const c of waiting) {
    if (team && c.team !== team) continue;
    const key = JSON.stringify([c.queue, c.team]);
    let q = queues.get(key);
    if (!q) {
      q = { queue: c.queue, team: c.team, waiting: 0, oldestId: svc.access.mayAccess(p, c) ? c.id : null, oldestQueuedAt: c.queuedAt };
      queues.set(key, q);
    }
    q.waiting++;
  }
  return { at: svc.clock.iso(), agents: rows, queues: [...queues.values()].sort((a, b) => (a.oldestQueuedAt ?? '').localeCompare(b.oldestQueuedAt ?? '')) };
}
