/**
 * The console's calls to the administration API (same origin, the HttpOnly session cookie; no token
 * is ever read by script). Every answer is `{ ok: true, body }` or `{ ok: false, code, detail }`
 * from the server's problem+json (or `network`).
 */
export type Result<T> = { ok: true; body: T } | { ok: false; code: string; detail: string };

export interface AdminAgent {
  id: string;
  email: string;
  name: string;
  role: 'agent' | 'lead' | 'project-team' | 'admin';
  languages: Array<'pt' | 'en' | 'es'>;
  teams: string[];
  disabled: boolean;
}
export interface Team {
  id: string;
  name: string;
  members: number;
}
export interface Canned {
  id: string;
  language: 'pt' | 'en' | 'es';
  shortcut: string;
  title: string;
  body: string;
}
export type Targets = { firstResponseMin: number; nextResponseMin: number; resolutionMin: number };
export type Priority = 'P1' | 'P2' | 'P3' | 'P4';
export interface Tier {
  id: string;
  name: string;
  targets: Record<Priority, Targets>;
  overridden: Priority[];
  builtIn: boolean;
  realms: number;
}
export interface Realm {
  id: string;
  name: string;
  contract: { emailDomains: string[]; active: boolean; tier: string } | null;
  projects: Array<{ id: string; name: string; ongoing: boolean; team: string | null }>;
  pipelines: Array<{ id: string; name: string; key: string; environment: string; status: string; inProjectPhase: boolean }>;
}
export interface Link {
  link: string;
  expiresAt: string;
}

type Fetch = typeof fetch;

export async function call<T>(method: string, path: string, body?: unknown, fetchImpl: Fetch = (...a) => fetch(...a)): Promise<Result<T>> {
  let res: Response;
  try {
    res = await fetchImpl(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    return { ok: false, code: 'network', detail: '' };
  }
  const text = await res.text().catch(() => '');
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (res.ok) return { ok: true, body: json as T };
  const p = (json ?? {}) as { code?: string; detail?: string };
  return { ok: false, code: p.code ?? String(res.status), detail: p.detail ?? '' };
}

export const adminApi = {
  agents: () => call<{ agents: AdminAgent[] }>('GET', '/api/admin/agents'),
  createAgent: (b: { email: string; name: string; role: string; languages: string[]; teams: string[]; password?: string }) =>
    call<{ agent: AdminAgent; invite?: Link }>('POST', '/api/admin/agents', b),
  updateAgent: (id: string, b: Partial<Pick<AdminAgent, 'name' | 'role' | 'languages' | 'teams'>>) => call<{ agent: AdminAgent }>('PATCH', `/api/admin/agents/${encodeURIComponent(id)}`, b),
  reset: (id: string) => call<{ reset: Link }>('POST', `/api/admin/agents/${encodeURIComponent(id)}/reset`),
  disable: (id: string) => call<null>('POST', `/api/admin/agents/${encodeURIComponent(id)}/disable`),
  enable: (id: string) => call<null>('POST', `/api/admin/agents/${encodeURIComponent(id)}/enable`),
  teams: () => call<{ teams: Team[] }>('GET', '/api/admin/teams'),
  createTeam: (b: { id?: string; name: string }) => call<{ team: Team }>('POST', '/api/admin/teams', b),
  renameTeam: (id: string, name: string) => call<{ team: Team }>('PATCH', `/api/admin/teams/${encodeURIComponent(id)}`, { name }),
  deleteTeam: (id: string) => call<null>('DELETE', `/api/admin/teams/${encodeURIComponent(id)}`),
  canned: () => call<{ canned: Canned[] }>('GET', '/api/admin/canned'),
  createCanned: (b: Omit<Canned, 'id'>) => call<{ canned: Canned }>('POST', '/api/admin/canned', b),
  updateCanned: (id: string, b: Partial<Omit<Canned, 'id'>>) => call<{ canned: Canned }>('PATCH', `/api/admin/canned/${encodeURIComponent(id)}`, b),
  deleteCanned: (id: string) => call<null>('DELETE', `/api/admin/canned/${encodeURIComponent(id)}`),
  tiers: () => call<{ tiers: Tier[] }>('GET', '/api/admin/sla-tiers'),
  putTier: (id: string, b: { name: string; targets: Record<Priority, Targets> }) => call<{ tier: Tier }>('PUT', `/api/admin/sla-tiers/${encodeURIComponent(id)}`, b),
  deleteTier: (id: string) => call<null>('DELETE', `/api/admin/sla-tiers/${encodeURIComponent(id)}`),
  realms: () => call<{ realms: Realm[] }>('GET', '/api/admin/realms'),
};
