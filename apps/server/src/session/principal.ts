import type { AgentRole, Channel, Locale } from '@ajuda/protocol';

/** Who is on a socket once `session.hello` succeeded (R1, R5): set once, never changed. */
export interface VisitorPrincipal {
  kind: 'visitor';
  visitorId: string;
  ownerKey: string;
  channel: Channel;
  locale: Locale | null;
}
export interface RealmUserPrincipal {
  kind: 'realm_user';
  realmId: string;
  userId: string;
  perms: readonly string[];
  name: string | null;
  email: string | null;
  ownerKey: string;
  channel: Channel;
  tokenLocale: string | null;
  locale: Locale | null;
  expiresAt: Date;
}
export interface AgentPrincipal {
  kind: 'agent';
  agentId: string;
  name: string;
  role: AgentRole;
  languages: Locale[];
  teams: string[];
  sessionHash: string;
}
export type RequesterPrincipal = VisitorPrincipal | RealmUserPrincipal;
export type ConnPrincipal = RequesterPrincipal | AgentPrincipal;

/** A principal's kind; a handler table entry lists the kinds that may send its frame. */
export type PrincipalKind = ConnPrincipal['kind'];
/** The principal narrowed to some kinds: `PrincipalOf<'agent'>` is `AgentPrincipal`. */
export type PrincipalOf<K extends PrincipalKind> = Extract<ConnPrincipal, { kind: K }>;
