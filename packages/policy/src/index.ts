/**
 * @ajuda/policy: the support rules of POLICY.md (R1–R15) as pure functions.
 * No I/O; every clock is a parameter. The server asks these for decisions and applies them.
 */
export * from './requester.ts';
export * from './priority.ts';
export * from './sla.ts';
export * from './routing.ts';
export * from './scope.ts';
export * from './escalation.ts';
export * from './grants.ts';
export * from './access.ts';
export * from './feedback.ts';
export * from './intake.ts';
export * from './admin.ts';
export * from './articles.ts';
