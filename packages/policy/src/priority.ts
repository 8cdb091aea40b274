import type { Priority, RequestType } from '@ajuda/protocol';

/** R9: the names of the priorities, as in the policy table. */
export const PRIORITY_NAMES: Readonly<Record<Priority, string>> = {
  P1: 'Critical',
  P2: 'High',
  P3: 'Medium',
  P4: 'Low',
};

export interface PriorityDecision {
  priority: Priority;
  /** Readable English lines citing R9, shown to agents next to the proposed priority. */
  trace: string[];
}

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

function decided(priority: Priority, trace: string[], why: string): PriorityDecision {
  return { priority, trace: [...trace, `R9: proposed ${priority} (${PRIORITY_NAMES[priority]}): ${why}.`] };
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
    return decided('P3', ['R9: authentication incident: a user cannot log in while the platform itself works.'], 'treated as a partial unavailability with the platform still running');
  }
  if (type !== 'incident') {
    return decided('P4', [`R9: request type ${type} reports no unavailability (question, request, advice or guidance).`], 'no unavailability');
  }
  const env = pick(ENVIRONMENTS, answers.environment);
  const impact = pick(IMPACTS, answers.impact);
  const workaround = pick(WORKAROUNDS, answers.workaround);
  const trace: string[] = [];
  if (impact === 'none') {
    trace.push('R9: the requester reports no unavailability.');
    return decided('P4', trace, 'no unavailability');
  }
  if (!env || !impact || !workaround) {
    trace.push('R9: environment, impact or workaround is missing or not recognised.');
    return decided('P3', trace, 'incomplete answers; an agent should review the priority');
  }
  trace.push(`R9: environment ${env}.`, `R9: impact: ${IMPACT_WORDS[impact]}.`, `R9: ${workaround === 'yes' ? 'a workaround is defined' : 'no defined workaround'}.`);
  if (env === 'Test') return decided('P3', trace, 'unavailability of pipelines in Test');
  if (impact === 'total') {
    return workaround === 'no'
      ? decided('P1', trace, 'total unavailability affecting Prod with no defined workaround')
      : decided('P2', trace, 'total unavailability in Prod, but P1 requires no defined workaround; a workaround keeps it High');
  }
  return workaround === 'no'
    ? decided('P2', trace, `${IMPACT_WORDS[impact]} impacting Prod with no defined workaround`)
    : decided('P3', trace, `${IMPACT_WORDS[impact]} impacting Prod with a defined workaround`);
}
