import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { IMPACT_OPTIONS, REQUEST_TYPES, type Priority } from '@ajuda/protocol';
import { PRIORITY_NAMES, proposePriority } from '../src/index.ts';

type Row = [env: 'Prod' | 'Test', impact: (typeof IMPACT_OPTIONS)[number], workaround: 'yes' | 'no', want: Priority, why: string];

// The whole incident table: 2 × 4 × 2 = 16 combinations, each with exactly one answer.
const TABLE: Row[] = [
  ['Prod', 'total', 'no', 'P1', 'total outage in Prod with no workaround is Critical'],
  ['Prod', 'total', 'yes', 'P2', 'total outage in Prod with a workaround is High (P1 requires no workaround)'],
  ['Prod', 'partial', 'no', 'P2', 'partial unavailability in Prod with no workaround is High'],
  ['Prod', 'degradation', 'no', 'P2', 'performance degradation in Prod with no workaround is High'],
  ['Prod', 'partial', 'yes', 'P3', 'partial unavailability in Prod with a workaround is Medium'],
  ['Prod', 'degradation', 'yes', 'P3', 'degradation in Prod with a workaround is Medium'],
  ['Prod', 'none', 'no', 'P4', 'no unavailability in Prod is Low'],
  ['Prod', 'none', 'yes', 'P4', 'no unavailability in Prod with a workaround is Low'],
  ['Test', 'total', 'no', 'P3', 'total unavailability in Test is Medium'],
  ['Test', 'total', 'yes', 'P3', 'total unavailability in Test with a workaround is Medium'],
  ['Test', 'partial', 'no', 'P3', 'partial unavailability in Test is Medium'],
  ['Test', 'partial', 'yes', 'P3', 'partial unavailability in Test with a workaround is Medium'],
  ['Test', 'degradation', 'no', 'P3', 'degradation in Test is Medium'],
  ['Test', 'degradation', 'yes', 'P3', 'degradation in Test with a workaround is Medium'],
  ['Test', 'none', 'no', 'P4', 'no unavailability in Test is Low'],
  ['Test', 'none', 'yes', 'P4', 'no unavailability in Test with a workaround is Low'],
];

describe('priority proposal', () => {
  for (const [environment, impact, workaround, want, why] of TABLE) {
    it(`R9: ${why} (${environment}, ${impact}, workaround ${workaround} → ${want})`, () => {
      const d = proposePriority('incident', { environment, impact, workaround });
      expect(d.priority).toBe(want);
      expect(d.trace.length).toBeGreaterThan(0);
      for (const line of d.trace) expect(line).toMatch(/^R9: /);
      expect(d.trace.at(-1)).toContain(`${want} (${PRIORITY_NAMES[want]})`);
    });
  }

  it('R9: the incident table covers every combination of the intake options', () => {
    const incident = REQUEST_TYPES.find((t) => t.id === 'incident')!;
    const opts = (id: string) => incident.fields.find((f) => f.id === id)!.options!;
    const keys = new Set(TABLE.map(([e, i, w]) => `${e}/${i}/${w}`));
    expect(keys.size).toBe(opts('environment').length * opts('impact').length * opts('workaround').length);
  });

  const others = REQUEST_TYPES.map((t) => t.id).filter((t) => t !== 'incident' && t !== 'auth_incident');
  for (const t of others) {
    it(`R9: a ${t} reports no unavailability and is P4`, () => {
      expect(proposePriority(t, { environment: 'Prod', impact: 'total', workaround: 'no' }).priority).toBe('P4');
    });
  }
  it('R9: an authentication incident (one user cannot log in, the platform works) is P3', () => {
    const d = proposePriority('auth_incident', { email: 'ana@acme.example', whatHappens: 'invalid password', when: '2025-01-01T10:00:00Z' });
    expect(d.priority).toBe('P3');
    expect(d.trace.join(' ')).toMatch(/log in/);
  });
  it('R9: an incident with unrecognised answers gets P3 and a trace asking an agent to review', () => {
    const d = proposePriority('incident', { environment: 'Staging', impact: 'total' });
    expect(d.priority).toBe('P3');
    expect(d.trace.join(' ')).toMatch(/review/);
  });
  it('R9: (property) every combination of incident answers, valid or not, yields exactly one priority', () => {
    const anyValue = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.integer(), fc.boolean());
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom('Prod', 'Test'), anyValue),
        fc.oneof(fc.constantFrom(...IMPACT_OPTIONS), anyValue),
        fc.oneof(fc.constantFrom('yes', 'no'), anyValue),
        (environment, impact, workaround) => {
          const d = proposePriority('incident', { environment, impact, workaround });
          expect(['P1', 'P2', 'P3', 'P4']).toContain(d.priority);
          // Deterministic: the same answers always give the same priority.
          expect(proposePriority('incident', { environment, impact, workaround }).priority).toBe(d.priority);
          // P1 only for the one combination the policy defines as Critical.
          if (d.priority === 'P1') expect([environment, impact, workaround]).toEqual(['Prod', 'total', 'no']);
        },
      ),
    );
  });
});
