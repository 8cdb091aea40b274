import type { AgentRole, QueueKind } from '@ajuda/protocol';
import { agentServesQueue } from './routing.ts';
import { agentMayWrite, type GrantRecord } from './grants.ts';

/** Who is asking, as authenticated by the server. */
export type Principal =
  | { kind: 'visitor'; visitorId: string }
  | { kind: 'realm_user'; realmId: string; userId: string; perms: readonly string[] }
  | { kind: 'agent'; agentId: string; role: AgentRole; teams: readonly string[]; disabled?: boolean };

/** The facts about a conversation an access decision needs. */
export interface ConversationAccessFacts {
  requesterVisitorId: string | null;
  requesterUserId: string | null;
  realmId: string | null;
  queue: QueueKind;
  team: string | null;
  assigneeId: string | null;
}

/**
 * R7/R7a/R7b: the single access decision. Requesters reach only their own conversations (a visitor
 * by visitor id; a realm user by user id AND realm). Agents reach conversations of the queues they
 * serve (leads: all) or assigned to them; a disabled agent reaches nothing. False means "answer as
 * if the id did not exist" (R7a).
 *
 * @example mayAccessConversation({ kind: 'visitor', visitorId: 'v1' }, { ...facts, requesterVisitorId: 'v2' }) // false
 */
export function mayAccessConversation(p: Principal, c: ConversationAccessFacts): boolean {
  switch (p.kind) {
    case 'visitor':
      return c.requesterVisitorId !== null && c.requesterVisitorId === p.visitorId;
    case 'realm_user':
      // R7a: the user id alone is not enough; the conversation must be of the user's realm too.
      return c.requesterUserId !== null && c.requesterUserId === p.userId && c.realmId !== null && c.realmId === p.realmId;
    case 'agent':
      if (p.disabled) return false;
      return (c.assigneeId !== null && c.assigneeId === p.agentId) || agentServesQueue(p, c.queue, c.team);
  }
}

export type RealmAccess = 'none' | 'read' | 'write';

/**
 * R7a/R7b/R12a/R12b: what a principal may do with a realm's data in the context of a conversation.
 * A realm user: read their own realm only. A visitor: nothing (R7). An agent: read the realm of a
 * conversation they may access (R7b, R12a), write only under an active customer grant (R12b).
 *
 * @example realmAccess(agent, facts, [], now) // 'read'
 */
export function realmAccess(p: Principal, c: ConversationAccessFacts, grants: readonly GrantRecord[], now: Date): RealmAccess {
  if (c.realmId === null) return 'none';
  switch (p.kind) {
    case 'visitor':
      return 'none';
    case 'realm_user':
      return p.realmId === c.realmId ? 'read' : 'none';
    case 'agent':
      if (!mayAccessConversation(p, c)) return 'none';
      return agentMayWrite(grants, c.realmId, now) ? 'write' : 'read';
  }
}
