import type { AgentRole } from '@ajuda/protocol';

/** Who may read a help-centre article: anyone; a signed-in requester; a signed-in requester whose realm has an active contract. */
export type ArticleAudience = 'public' | 'authenticated' | 'contract';

/** A help-centre reader as the server verified them (R1): only an identity token makes a realm user. */
export type ArticleReader = { kind: 'visitor' } | { kind: 'realm_user'; contractActive: boolean };

/**
 * R2–R5: the article audiences a reader may receive. A visitor (login page, website, or anyone without
 * a verified identity token) gets `public` only — whatever they claim, so no answer depends on whether
 * a realm or contract exists (R5); a realm user `authenticated` too; `contract` only with an active contract.
 *
 * @example articleAudiences({ kind: 'visitor' }) // ['public']
 */
export function articleAudiences(r: ArticleReader): ArticleAudience[] {
  if (r.kind !== 'realm_user') return ['public'];
  return r.contractActive ? ['public', 'authenticated', 'contract'] : ['public', 'authenticated'];
}

/** Help-centre authoring (write, publish, unpublish, delete): support leads and administrators. */
export function mayEditArticles(role: AgentRole): boolean {
  return role === 'lead' || role === 'admin';
}
