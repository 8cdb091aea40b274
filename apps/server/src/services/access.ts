import type { ConversationRow, Store } from '@ajuda/db';
import { mayAccessConversation, type Principal } from '@ajuda/policy';
import { AjudaError } from '@ajuda/protocol';
import type { ConnPrincipal } from '../session/principal.ts';
import type { OwnerKeys } from './owners.ts';

/** Who may see and act on what (R7, R7a, R7b, R13): the policy's pure rules over stored rows. */
export class Access {
  constructor(
    private readonly store: Store,
    private readonly owners: OwnerKeys,
  ) {}

  policyPrincipal(p: ConnPrincipal): Principal {
    switch (p.kind) {
      case 'visitor':
        return { kind: 'visitor', visitorId: p.visitorId };
      case 'realm_user':
        return { kind: 'realm_user', realmId: p.realmId, userId: p.userId, perms: p.perms };
      case 'agent':
        // A disabled agent's sockets are closed when they are disabled, and hello refuses them.
        return { kind: 'agent', agentId: p.agentId, role: p.role, teams: p.teams, disabled: this.disabledAgents.has(p.agentId) };
    }
  }

  /**
   * R7b, R13: an agent who handled a conversation keeps read-only access after it was escalated or
   * transferred away (they may follow it; they can no longer write, assign or see the realm).
   */
  async mayRead(p: ConnPrincipal, c: ConversationRow): Promise<boolean> {
    if (this.mayAccess(p, c)) return true;
    if (p.kind !== 'agent' || this.disabledAgents.has(p.agentId)) return false;
    return (await this.store.routing(c.id)).some((r) => r.assigneeId === p.agentId);
  }

  /** The conversation if `p` may at least read it (R7a: otherwise "not found", like a missing one). */
  async loadReadable(p: ConnPrincipal, id: string): Promise<ConversationRow> {
    const c = await this.store.getConversation(id);
    if (!c || !(await this.mayRead(p, c))) throw new AjudaError('not_found');
    return this.owners.remember(c);
  }

  /** Agents disabled while this process runs (their sessions are also ended in the database). */
  readonly disabledAgents = new Set<string>();

  mayAccess(p: ConnPrincipal, c: ConversationRow): boolean {
    return mayAccessConversation(this.policyPrincipal(p), {
      requesterVisitorId: c.visitorId,
      requesterUserId: c.userId,
      realmId: c.realmId,
      queue: c.queue,
      team: c.team,
      assigneeId: c.assigneeId,
    });
  }
}
