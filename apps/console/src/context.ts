import type { Locale, Translate } from '@ajuda/i18n';
import type { AgentView } from '@ajuda/protocol';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Ticker } from './clock.ts';
import type { AgentConnection } from './connection.ts';
import type { Store } from './store.ts';

/** What every console screen needs: texts, clock, store and the socket. */
export interface ConsoleContext {
  locale: Locale;
  t: Translate;
  setLocale(locale: Locale): void;
  ticker: Ticker;
  store: Store;
  conn: Pick<AgentConnection, 'send' | 'request' | 'command' | 'retryNow'>;
  me: AgentView;
  /** Navigate inside the console (hash routes). */
  navigate(route: Route): void;
}

export type AdminTab = 'agents' | 'teams' | 'canned' | 'sla' | 'realms' | 'tokens' | 'webhooks';
export type Route = { view: 'inbox'; conversationId: string | null } | { view: 'leads' } | { view: 'admin'; tab: AdminTab } | InsightRoute;
/** Search (any agent), Reports, the team overview and the help-centre articles (leads and administrators): lazy screens. */
export type InsightRoute = { view: 'search'; q: string } | { view: 'reports' } | { view: 'team' } | { view: 'articles'; id: string | null };

export const Ctx = createContext<ConsoleContext | null>(null);

export function useConsole(): ConsoleContext {
  const c = useContext(Ctx);
  if (!c) throw new Error('ConsoleContext missing');
  return c;
}

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  if (h === 'leads') return { view: 'leads' };
  if (h === 'reports' || h === 'team') return { view: h };
  const art = /^articles(?:\/([\w-]{1,64}))?$/.exec(h);
  if (art) return { view: 'articles', id: art[1] ?? null };
  const search = /^search(?:\?q=(.*))?$/.exec(h);
  if (search) {
    let q = '';
    try {
      q = decodeURIComponent(search[1] ?? '');
    } catch {
      // A malformed fragment searches for nothing.
    }
    return { view: 'search', q };
  }
  const admin = /^admin(?:\/(agents|teams|canned|sla|realms|tokens|webhooks))?$/.exec(h);
  if (admin) return { view: 'admin', tab: (admin[1] as AdminTab | undefined) ?? 'agents' };
  const m = /^inbox\/([\w.-]{1,64})$/.exec(h);
  return { view: 'inbox', conversationId: m ? decodeURIComponent(m[1]!) : null };
}

export function routeHash(r: Route): string {
  if (r.view === 'admin') return `#/admin/${r.tab}`;
  if (r.view === 'search') return r.q ? `#/search?q=${encodeURIComponent(r.q)}` : '#/search';
  if (r.view === 'reports' || r.view === 'team') return `#/${r.view}`;
  if (r.view === 'articles') return r.id ? `#/articles/${r.id}` : '#/articles';
  return r.view === 'leads' ? '#/leads' : r.conversationId ? `#/inbox/${encodeURIComponent(r.conversationId)}` : '#/inbox';
}
