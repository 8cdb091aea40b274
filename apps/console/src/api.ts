import type { AgentView } from '@ajuda/protocol';

/**
 * The console's HTTP calls. The session lives in the HttpOnly `ajuda_agent` cookie set by the
 * server: no token is ever read by script, put in a URL or kept in storage.
 */
export type LoginResult =
  | { ok: true; agent: AgentView; expiresAt: string | null }
  | { ok: false; reason: 'bad_credentials' | 'rate_limited' | 'network' | 'server'; retryAfter?: number };

export interface AgentApi {
  me(): Promise<AgentView | null>;
  login(email: string, password: string): Promise<LoginResult>;
  logout(): Promise<void>;
}

type Fetch = typeof fetch;

function retryAfterOf(res: Response, body: unknown): number | undefined {
  const fromBody = body && typeof body === 'object' ? (body as { retryAfter?: unknown }).retryAfter : undefined;
  if (typeof fromBody === 'number' && fromBody > 0) return Math.ceil(fromBody);
  const header = Number(res.headers.get('retry-after'));
  return Number.isFinite(header) && header > 0 ? Math.ceil(header) : undefined;
}

/**
 * @example const api = createApi(); const agent = await api.me(); // null when signed out
 */
export function createApi(base = '', fetchImpl: Fetch = (...a) => fetch(...a)): AgentApi {
  const opts = (init: RequestInit): RequestInit => ({ credentials: 'same-origin', cache: 'no-store', ...init });
  return {
    async me() {
      const res = await fetchImpl(`${base}/api/agent/me`, opts({ headers: { accept: 'application/json' } }));
      if (!res.ok) return null;
      const body = (await res.json()) as { agent?: AgentView };
      return body.agent ?? null;
    },
    async login(email, password) {
      let res: Response;
      try {
        res = await fetchImpl(
          `${base}/api/agent/login`,
          opts({ method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ email, password }) }),
        );
      } catch {
        return { ok: false, reason: 'network' };
      }
      const body: unknown = await res.json().catch(() => null);
      if (res.ok) {
        const b = body as { agent: AgentView; expiresAt?: string };
        return { ok: true, agent: b.agent, expiresAt: b.expiresAt ?? null };
      }
      if (res.status === 429) {
        const retryAfter = retryAfterOf(res, body);
        return retryAfter === undefined ? { ok: false, reason: 'rate_limited' } : { ok: false, reason: 'rate_limited', retryAfter };
      }
      if (res.status === 401 || res.status === 400) return { ok: false, reason: 'bad_credentials' };
      return { ok: false, reason: 'server' };
    },
    async logout() {
      await fetchImpl(`${base}/api/agent/logout`, opts({ method: 'POST' })).catch(() => undefined);
    },
  };
}
