import { describe, expect, it } from 'vitest';
import { ConversationStatus, EscalationReason } from '@ajuda/protocol';
import {
  ESCALATION_REASONS,
  FEEDBACK_QUESTION_KEY,
  afterFeedback,
  canEscalate,
  canGiveFeedback,
  canReopen,
  escalationOutcome,
} from '../src/index.ts';

describe('escalation', () => {
  const open = new Set(['queued', 'assigned']);
  for (const status of ConversationStatus.options) {
    it(`R13: a ${status} conversation ${open.has(status) ? 'may' : 'may not'} be escalated`, () => {
      expect(canEscalate(status)).toBe(open.has(status));
    });
  }
  it('R13: the three escalation grounds match the wire protocol', () => {
    expect([...ESCALATION_REASONS]).toEqual(['disagree', 'scenario_changed', 'other_engineer']);
    expect([...ESCALATION_REASONS]).toEqual(EscalationReason.options);
  });
  for (const priority of ['P1', 'P2', 'P3', 'P4', null] as const) {
    it(`R13: escalating connects with a support lead and keeps priority ${priority ?? 'none'}`, () => {
      const out = escalationOutcome({ priority, queue: 'project', team: 'acme-migration' });
      expect(out).toMatchObject({ priority, queue: 'leads', team: null });
      expect(out.reason).toMatch(/^R13: /);
    });
  }
});

describe('feedback', () => {
  it('R14: the feedback question has its i18n key', () => {
    expect(FEEDBACK_QUESTION_KEY).toBe('feedback.question');
  });
  it('R14: a "no" offers to reopen or escalate; a "yes" offers nothing more', () => {
    expect(afterFeedback(false)).toEqual(['reopen', 'escalate']);
    expect(afterFeedback(true)).toEqual([]);
  });
  for (const status of ConversationStatus.options) {
    it(`R14: feedback ${status === 'resolved' ? 'is' : 'is not'} asked for a ${status} conversation`, () => {
      expect(canGiveFeedback(status)).toBe(status === 'resolved');
      expect(canReopen(status)).toBe(status === 'resolved');
    });
  }
  it('R14: escalating after a "no" goes through reopening, since only open conversations escalate (R13)', () => {
    expect(canEscalate('resolved')).toBe(false);
    expect(canReopen('resolved')).toBe(true);
    expect(afterFeedback(false)).toContain('reopen');
  });
});
