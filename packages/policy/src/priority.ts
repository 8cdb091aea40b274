import type { Priority, RequestType } from '@ajuda/protocol';

/** R9: the names of the priorities, as in the policy table. */
export const PRIORITY_NAMES: Readonly<Record<Priority, string>> = {
  P1: 'Critical',
  P2: 'High',
  P3: 'Medium',
  P4: 'Low',
};

/** One reason as a code and params (R9): what is stored, rendered in the agent's language. */
export interface PriorityLine {
  code: string;
  params?: Record<string, string>;
}

export interface PriorityDecision {
  priority: Priority;
  /** Readable English lines citing R9 (for logs and tests). */
  trace: string[];
  /** The same reasons as codes and params: stored with the conversation and shown to agents. */
  lines: PriorityLine[];
}

/** Why a priority was proposed, as a code (`param.why.<code>` in the console catalogs). */
type Why = 'auth_partial' | 'no_unavailability' | 'incomplete' | 'test' | 'total_no_workaround' | 'total_workaround' | 'prod_no_workaround' | 'prod_workaround';

const ENVIRONMENTS = ['Prod', 'Test'] as const;
const IMPACTS = ['total', 'partial', 'degradation', 'none'] as const;
const WORKAROUNDS = ['yes', 'no'] as const;

const IMPACT_WORDS: Record<(typeof IMPACTS)[number], string> = {
  total: 'total unavailability',
  partial: 'partial unavailability',
  degradation: 'performance degradation',
  none: 'no unavailability',
};

function pick<T extends string>(options: readonly T[], v: unknown): T | null {
  return typeof v === 'string' && (options as readonly string[]).includes(v) ? (v as T) : null;
}

function decided(priority: Priority, trace: string[], why: string, lines: PriorityLine[], whyCode: Why): PriorityDecision {
  return {
    priority,
    trace: [...trace, `R9: proposed ${priority} (${PRIORITY_NAMES[priority]}): ${why}.`],
    lines: [...lines, { code: 'R9.proposed', params: { priority, why: whyCode } }],
  };
}

/**
 * R9: propose a priority from the intake answers. Exactly one priority for every input.
 * Incidents: Prod + total + no workaround → P1; Prod + total + workaround → P2; Prod + partial or
 * degradation + no workaround → P2, with a workaround → P3; Test with any unavailability → P3;
 * impact `none` → P4. `auth_incident` → P3 (one user cannot log in; the platform works).
 * Every other type → P4. Incomplete incident answers (never after R6 validation) → P3 for review.
 *
 * @example proposePriority('incident', { environment: 'Prod', impact: 'total', workaround: 'no' }).priority // 'P1'
 */
export function proposePriority(type: RequestType, answers: Record<string, unknown>): PriorityDecision {
  if (type === 'auth_incident') {
    return decided('P3', ['R9: authentication incident: a user cannot log in while the platform itself works.'], 'treated as a partial unavailability with the platform still running', [{ code: 'R9.auth_incident' }], 'auth_partial');
  }
  if (type !== 'incident') {
    return decided('P4', [`R9: request type ${type} reports no unavailability (question, request, advice or guidance).`], 'no unavailability', [{ code: 'R9.no_unavailability_type', params: { requestType: type } }], 'no_unavailability');
  }
  const env = pick(ENVIRONMENTS, answers.environment);
  const impact = pick(IMPACTS, answers.impact);
  const workaround = pick(WORKAROUNDS, answers.workaround);
  const trace: string[] = [];
  const lines: PriorityLine[] = [];
  if (impact === 'none') {
    trace.push('R9: the requester reports no unavailability.');
    return decided('P4', trace, 'no unavailability', [{ code: 'R9.none_reported' }], 'no_unavailability');
  }
  if (!env || !impact || !workaround) {
    trace.push('R9: environment, impact or workaround is missing or not recognised.');
    return decided('P3', trace, 'incomplete answers; an agent should review the priority', [{ code: 'R9.incomplete' }], 'incomplete');
  }
  trace.push(`R9: environment ${env}.`, `R9: impact: ${IMPACT_WORDS[impact]}.`, `R9: ${workaround === 'yes' ? 'a workaround is defined' : 'no defined workaround'}.`);
  lines.push({ code: 'R9.environment', params: { environment: env } }, { code: 'R9.impact', params: { impact } }, { code: `R9.workaround_${workaround}` });
  if (env === 'Test') return decided('P3', trace, 'unavailability of pipelines in Test', lines, 'test');
  if (impact === 'total') {
    return workaround === 'no'
      ? decided('P1', trace, 'total unavailability affecting Prod with no defined workaround', lines, 'total_no_workaround')
      : decided('P2', trace, 'total unavailability in Prod, but P1 requires no defined workaround; a workaround keeps it High', lines, 'total_workaround');
  }
  return workaround === 'no'
    ? decided('P2', trace, `${IMPACT_WORDS[impact]} impacting Prod with no defined workaround`, lines, 'prod_no_workaround')
    : decided('P3', trace, `${IMPACT_WORDS[impact]} impacting Prod with a defined workaround`, lines, 'prod_workaround');
}
