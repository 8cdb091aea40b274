import type { ConversationRow } from '@ajuda/db';

/**
 * The requester topic of each conversation. An owner key never changes, so it is kept from every
 * conversation row that passed through the server (loaded, committed, viewed): the fan-out finds a
 * message's recipients without a read on the way out.
 */
export class OwnerKeys {
  private readonly owners = new Map<string, string>();

  /** The owner key, or undefined if no row of this conversation passed by yet. */
  get(conversationId: string): string | undefined {
    return this.owners.get(conversationId);
  }

  /** Keep the conversation's owner key; returns the row. */
  remember<C extends Pick<ConversationRow, 'id' | 'ownerKey'>>(c: C): C {
    if (!this.owners.has(c.id)) {
      if (this.owners.size >= 100_000) this.owners.clear();
      this.owners.set(c.id, c.ownerKey);
    }
    return c;
  }
}
