import { queryTerms, type ConversationRow, type SearchQuery } from '@ajuda/db';
import type { Services } from '../context.ts';
import type { AgentPrincipal } from '../session/principal.ts';

/**
 * Conversation search for agents (the console's search box and `GET /api/v1/conversations/search`).
 * The store finds candidates (words, id, filters); each one is then checked with the inbox's own
 * access rule (`svc.access.mayAccess`, R7), so an agent never finds a conversation they may not open.
 */

const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]{12}$/;

/**
 * The conversation id a person may have typed, in any case, with or without the `AJ-` prefix
 * (`AJ-7K3F9QX2M4TB`, `aj-7k3f9qx2m4tb`, `7K3F9QX2M4TB`, `AJ 7K3F…`); as Crockford base32 reads
 * them, O is 0 and I or L is 1. Null when the text is no id.
 */
export function conversationIdOf(text: string): string | null {
  const m = /^\s*(?:aj[\s-]?)?([0-9a-z]{12})\s*$/i.exec(text);
  if (!m) return null;
  const body = m[1]!.toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  return CROCKFORD.test(body) ? `AJ-${body}` : null;
}

export interface SearchInput {
  q: string;
  status?: SearchQuery['status'];
  priority?: SearchQuery['priority'];
  language?: SearchQuery['language'];
  queue?: SearchQuery['queue'];
  createdFrom?: string;
  createdTo?: string;
  before?: { updatedAt: string; id: string };
  limit: number;
}

/** Rows asked of the store per round, and the most rows one search looks at. */
const SCAN = 100;
const MAX_SCANNED = 2000;

/**
 * The conversations `p` may open that match, newest update first; `next`: where the next page
 * starts (null: nothing more). One call looks at no more than 2,000 candidates.
 */
export async function searchConversations(svc: Services, p: AgentPrincipal, input: SearchInput): Promise<{ conversations: ConversationRow[]; next: { updatedAt: string; id: string } | null }> {
  const id = conversationIdOf(input.q);
  const base: SearchQuery = {
    terms: queryTerms(input.q),
    ids: id ? [id] : [],
    limit: SCAN,
    ...(input.status?.length ? { status: input.status } : {}),
    ...(input.priority?.length ? { priority: input.priority } : {}),
    ...(input.language?.length ? { language: input.language } : {}),
    ...(input.queue?.length ? { queue: input.queue } : {}),
    ...(input.createdFrom ? { createdFrom: input.createdFrom } : {}),
    ...(input.createdTo ? { createdTo: input.createdTo } : {}),
  };
  const out: ConversationRow[] = [];
  let before = input.before;
  let scanned = 0;
  for (;;) {
    const rows = await svc.store.searchConversations({ ...base, ...(before ? { before } : {}) });
    scanned += rows.length;
    for (const c of rows) {
      if (svc.access.mayAccess(p, c)) out.push(c);
      if (out.length === input.limit) return { conversations: out, next: { updatedAt: c.updatedAt, id: c.id } };
    }
    if (rows.length < SCAN) return { conversations: out, next: null };
    const last = rows.at(-1)!;
    before = { updatedAt: last.updatedAt, id: last.id };
    if (scanned >= MAX_SCANNED) return { conversations: out, next: before };
  }
}
