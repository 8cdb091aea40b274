import type { RequestType } from '@ajuda/protocol';

/** R8e: the reply template that says support does not own systems outside the platform. */
export const R8E_TEMPLATE_KEY = 'template.external_systems';

/** The system message sent when a contract question is auto-closed (R8a). */
export const CONTRACT_QUESTION_MESSAGE_KEY = 'system.contract_question';

/**
 * Canned replies agents may insert, one per out-of-scope rule that needs words (R8a, R8b, R8c, R8e).
 * Each `key` is an i18n key of @ajuda/i18n's server catalogs (pt/en/es). R8d needs no template: it is
 * enforced by never sending realm data to unauthenticated requesters (R7).
 */
export const SCOPE_TEMPLATES = [
  { key: 'template.contract', rule: 'R8a', summary: 'Contractual information comes from your account contact.' },
  { key: 'template.project_team', rule: 'R8b', summary: "A change to the flow's designed strategy goes to the project team." },
  { key: 'template.project_phase', rule: 'R8c', summary: 'Pipelines still in the project phase are handled by the project team running them.' },
  { key: R8E_TEMPLATE_KEY, rule: 'R8e', summary: 'Systems and endpoints outside the platform are owned by their own providers.' },
] as const;

/** The template keys alone, in rule order. */
export const TEMPLATE_KEYS: readonly string[] = SCOPE_TEMPLATES.map((t) => t.key);

export type ScopeDecision = { kind: 'auto_close'; messageKey: string; rule: 'R8a' } | { kind: 'none' };

/**
 * R8: what to do with a request type that is out of support's scope as soon as intake is valid.
 * Contract questions are answered at once with the polite pointer to the account contact and
 * closed (R8a); everything else goes on (R8b/R8c are routing, R8d is visibility, R8e a template).
 *
 * @example scopeDecision('contract_question') // { kind: 'auto_close', messageKey: 'system.contract_question', rule: 'R8a' }
 */
export function scopeDecision(type: RequestType): ScopeDecision {
  if (type === 'contract_question') return { kind: 'auto_close', messageKey: CONTRACT_QUESTION_MESSAGE_KEY, rule: 'R8a' };
  return { kind: 'none' };
}

/**
 * R8a, R5: the answer to a contract question fits who is asking — a signed-in realm user is pointed
 * to their account contact; a login-page visitor to signing in or their company's account owner; a
 * website prospect to sales. Decided by the verified session and the channel only, never by a claim,
 * so the answer says nothing about whether an email or realm has a contract.
 *
 * @example contractAnswerKey({ kind: 'visitor', channel: 'login' }) // 'system.contract_question.login'
 */
export function contractAnswerKey(requester: { kind: 'visitor' | 'realm_user'; channel: 'platform' | 'login' | 'website' }): string {
  const audience = requester.kind === 'realm_user' ? 'platform' : requester.channel === 'website' ? 'website' : 'login';
  return `${CONTRACT_QUESTION_MESSAGE_KEY}.${audience}`;
}
