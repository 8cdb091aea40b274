import { REQUEST_TYPES } from '@ajuda/protocol';
import type { Channel, RequestType, RequesterClass } from '@ajuda/protocol';

/** What a visitor typed about themselves. Never evidence of identity (R1). */
export interface Claims {
  email?: string;
  name?: string;
  realm?: string;
}

/**
 * Who opened (or is writing in) a conversation, as the server knows it.
 * Only a server-verified identity token yields `realm_user` (R1); anything typed stays `claims`.
 */
export type Requester =
  | { kind: 'visitor'; channel: Channel; claims?: Claims }
  | { kind: 'realm_user'; channel: Channel; realmId: string; userId: string; perms: readonly string[] };

/** The identity an identity token carried, after the server verified its signature and expiry. */
export interface VerifiedIdentity {
  realmId: string;
  userId: string;
  perms?: readonly string[];
}

/**
 * R1: build the Requester from what the server verified. A verified identity token is the only
 * thing that authenticates; claims are kept as claims and never promote a visitor.
 *
 * @example classifyRequester({ channel: 'login', identity: null, claims: { email: 'a@b.c' } }).kind // 'visitor'
 */
export function classifyRequester(input: { channel: Channel; identity: VerifiedIdentity | null; claims?: Claims }): Requester {
  if (input.identity) {
    // R1: the token speaks for the user; anything they also typed is irrelevant.
    return {
      kind: 'realm_user',
      channel: input.channel,
      realmId: input.identity.realmId,
      userId: input.identity.userId,
      perms: [...(input.identity.perms ?? [])],
    };
  }
  return input.claims ? { kind: 'visitor', channel: input.channel, claims: input.claims } : { kind: 'visitor', channel: input.channel };
}

/**
 * R1–R4: the requester class used for request-type gating. Claims never change it.
 *
 * @example requesterClass({ kind: 'visitor', channel: 'website', claims: { realm: 'acme' } }) // 'visitor'
 */
export function requesterClass(r: Requester): RequesterClass {
  return r.kind;
}

/** Result of matching a visitor's unverified claims against contracts. For agents' eyes only (R5). */
export type ContractMatch = 'contract' | 'no_contract' | 'unknown';

export interface ContractRecord {
  realmId: string;
  realmName: string;
  emailDomains: readonly string[];
  active: boolean;
}

/**
 * R2/R3/R4 label shown to agents: R4 = authenticated realm user; R3 = visitor whose claims match an
 * active contract; R2 = any other visitor. Never sent to the requester (R5).
 *
 * @example policyClass({ kind: 'visitor', channel: 'login' }, 'contract') // 'R3'
 */
export function policyClass(r: Requester, contractMatch: ContractMatch): 'R2' | 'R3' | 'R4' {
  if (r.kind === 'realm_user') return 'R4';
  return contractMatch === 'contract' ? 'R3' : 'R2';
}

/**
 * Request types the requester may open, in catalogue order (R2–R4). Depends on the requester class
 * only: a visitor's contract status must not change what the widget offers (R5), so the R3 extra
 * (`auth_incident`) is offered to every visitor.
 *
 * @example allowedRequestTypes({ kind: 'visitor', channel: 'website' }) // ['general_question', ...] without 'incident'
 */
export function allowedRequestTypes(r: Requester): RequestType[] {
  const cls = requesterClass(r);
  return REQUEST_TYPES.filter((t) => t.openTo.includes(cls)).map((t) => t.id);
}

/**
 * R2–R4: may this requester open a conversation of this type?
 *
 * @example canOpen({ kind: 'visitor', channel: 'login' }, 'incident') // false
 */
export function canOpen(r: Requester, type: RequestType): boolean {
  return allowedRequestTypes(r).includes(type);
}

const norm = (s: string): string => s.trim().toLowerCase();

function emailDomain(email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1) return null;
  return norm(email.slice(at + 1));
}

function domainMatches(domain: string, listed: string): boolean {
  const l = norm(listed).replace(/^@/, '');
  return l !== '' && (domain === l || domain.endsWith(`.${l}`));
}

/**
 * R3/R5: match a visitor's typed email and/or realm against contracts. `unknown` when nothing
 * matchable was typed; `contract` when any claim matches an active contract (email domain or a
 * subdomain of it; realm id or realm name, case-insensitive); otherwise `no_contract` (an inactive
 * contract counts as none). The result is for agents only; never let it shape a requester response.
 *
 * @example matchContract({ email: 'ana@acme.example' }, [{ realmId: 'acme', realmName: 'Acme', emailDomains: ['acme.example'], active: true }]) // 'contract'
 */
export function matchContract(claims: { email?: string; realm?: string } | undefined, contracts: readonly ContractRecord[]): ContractMatch {
  const domain = claims?.email ? emailDomain(claims.email) : null;
  const realm = claims?.realm && claims.realm.trim() !== '' ? norm(claims.realm) : null;
  if (!domain && !realm) return 'unknown';
  const hit = contracts.some(
    (c) =>
      c.active &&
      ((domain !== null && c.emailDomains.some((d) => domainMatches(domain, d))) ||
        (realm !== null && (norm(c.realmId) === realm || norm(c.realmName) === realm))),
  );
  return hit ? 'contract' : 'no_contract';
}

/**
 * R7/R8d: the realm whose data this requester may see: their own for a realm user, none for a visitor.
 *
 * @example visibleRealmId({ kind: 'visitor', channel: 'login', claims: { realm: 'acme' } }) // null
 */
export function visibleRealmId(r: Requester): string | null {
  return r.kind === 'realm_user' ? r.realmId : null;
}

/**
 * R8d: may support share customer-environment information with this requester? Only with an
 * authenticated realm user, and only about their own realm (see `visibleRealmId`).
 *
 * @example mayShareEnvironmentInfo({ kind: 'visitor', channel: 'website' }) // false
 */
export function mayShareEnvironmentInfo(r: Requester): boolean {
  return r.kind === 'realm_user';
}
