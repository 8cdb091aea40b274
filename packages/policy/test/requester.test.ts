import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { REQUEST_TYPES, type Channel, type RequestType } from '@ajuda/protocol';
import {
  allowedRequestTypes,
  canOpen,
  classifyRequester,
  matchContract,
  mayShareEnvironmentInfo,
  policyClass,
  requesterClass,
  visibleRealmId,
  type Requester,
} from '../src/index.ts';
import { ana, bruno, CONTRACTS, visitor } from './fixtures.ts';

const CHANNELS: Channel[] = ['platform', 'login', 'website'];
const EVERYONE_TYPES: RequestType[] = ['general_question', 'technical_question', 'auth_incident', 'contract_question'];
const ALL_TYPES: RequestType[] = REQUEST_TYPES.map((t) => t.id);

describe('channels and authentication', () => {
  for (const channel of CHANNELS) {
    it(`R1: on the ${channel} channel, a requester without a verified token is a visitor even with claims`, () => {
      const r = classifyRequester({ channel, identity: null, claims: { email: 'ana@acme.example', name: 'Ana', realm: 'acme' } });
      expect(r.kind).toBe('visitor');
      expect(requesterClass(r)).toBe('visitor');
      expect(r.channel).toBe(channel);
      expect(r.kind === 'visitor' && r.claims).toEqual({ email: 'ana@acme.example', name: 'Ana', realm: 'acme' });
    });
  }
  it('R1: a verified identity token makes the requester a realm user of the token realm, whatever was claimed', () => {
    const r = classifyRequester({ channel: 'platform', identity: { realmId: 'acme', userId: 'u_bruno' }, claims: { realm: 'globex' } });
    expect(r).toEqual({ kind: 'realm_user', channel: 'platform', realmId: 'acme', userId: 'u_bruno', perms: [] });
    expect(requesterClass(r)).toBe('realm_user');
  });
  it('R1: requesterClass of a visitor whose claims match a contract is still visitor', () => {
    expect(requesterClass(visitor({ email: 'ana@acme.example', realm: 'acme' }, 'login'))).toBe('visitor');
  });
});

describe('who may ask what', () => {
  type Row = { rule: 'R2' | 'R3' | 'R4'; who: string; r: Requester; match: 'contract' | 'no_contract' | 'unknown'; cls: 'R2' | 'R3' | 'R4' };
  const table: Row[] = [
    { rule: 'R2', who: 'a visitor with no claims', r: visitor(), match: 'unknown', cls: 'R2' },
    { rule: 'R2', who: 'a visitor whose email has no contract', r: visitor({ email: 'x@nowhere.example' }), match: 'no_contract', cls: 'R2' },
    { rule: 'R3', who: 'a visitor on the login page whose email matches a contract', r: visitor({ email: 'ana@acme.example' }, 'login'), match: 'contract', cls: 'R3' },
    { rule: 'R3', who: 'a visitor on the website whose realm claim matches a contract', r: visitor({ realm: 'Acme Integrations' }), match: 'contract', cls: 'R3' },
    { rule: 'R4', who: 'an authenticated realm user', r: ana, match: 'unknown', cls: 'R4' },
  ];
  const check = (row: Row) => () => {
    const m = row.r.kind === 'visitor' ? matchContract(row.r.claims, CONTRACTS) : row.match;
    expect(m).toBe(row.match);
    expect(policyClass(row.r, m)).toBe(row.cls);
  };
  // Literal rule prefixes, so the coverage meta-test can read the names statically.
  for (const row of table.filter((r) => r.rule === 'R2')) it(`R2: ${row.who} is labelled ${row.cls} for agents`, check(row));
  for (const row of table.filter((r) => r.rule === 'R3')) it(`R3: ${row.who} is labelled ${row.cls} for agents`, check(row));
  for (const row of table.filter((r) => r.rule === 'R4')) it(`R4: ${row.who} is labelled ${row.cls} for agents`, check(row));

  it('R2: a visitor without a contract may open general information and general or technical questions', () => {
    const types = allowedRequestTypes(visitor());
    expect(types).toEqual(expect.arrayContaining(['general_question', 'technical_question']));
    expect(types).not.toContain('incident');
    expect(types).not.toContain('dev_question');
  });
  for (const t of ['incident', 'dev_question'] as const) {
    it(`R2: a visitor cannot open ${t}`, () => {
      for (const ch of ['login', 'website'] as const) expect(canOpen(visitor(undefined, ch), t)).toBe(false);
    });
  }
  it('R3: a not-logged-in contract customer may report an authentication incident from the login page or the website', () => {
    for (const ch of ['login', 'website'] as const) {
      const r = visitor({ email: 'ana@acme.example' }, ch);
      expect(canOpen(r, 'auth_incident')).toBe(true);
      expect(canOpen(r, 'incident')).toBe(false);
      expect(visibleRealmId(r)).toBeNull();
    }
  });
  it('R3: a visitor gets exactly the types open to everyone, in catalogue order', () => {
    expect(allowedRequestTypes(visitor({ email: 'ana@acme.example' }, 'login'))).toEqual(EVERYONE_TYPES);
  });
  for (const t of ALL_TYPES) {
    it(`R4: a logged-in realm user may open ${t}`, () => {
      expect(canOpen(bruno, t)).toBe(true);
    });
  }
  it('R4: a realm user sees their own realm only; a visitor none', () => {
    expect(visibleRealmId(ana)).toBe('acme');
    expect(visibleRealmId(visitor({ realm: 'acme' }))).toBeNull();
  });
});

describe('contract match is for agents only', () => {
  const cases: Array<[string, { email?: string; realm?: string } | undefined, 'contract' | 'no_contract' | 'unknown']> = [
    ['no claims at all', undefined, 'unknown'],
    ['only a name-like empty realm', { realm: '  ' }, 'unknown'],
    ['an email that is not an address', { email: 'ana' }, 'unknown'],
    ['an email on a contract domain', { email: 'ana@acme.example' }, 'contract'],
    ['an email on a subdomain of a contract domain', { email: 'ops@eu.acme.example' }, 'contract'],
    ['an email in upper case', { email: 'ANA@ACME.EXAMPLE ' }, 'contract'],
    ['a realm id', { realm: 'globex' }, 'contract'],
    ['a realm name in other case', { realm: 'acme integrations' }, 'contract'],
    ['a look-alike domain', { email: 'a@notacme.example' }, 'no_contract'],
    ['an inactive contract', { email: 'bob@initech.example' }, 'no_contract'],
    ['an unknown realm', { realm: 'umbrella' }, 'no_contract'],
  ];
  for (const [what, claims, want] of cases) {
    it(`R5: matchContract for ${what} is ${want}`, () => {
      expect(matchContract(claims, CONTRACTS)).toBe(want);
    });
  }
  it('R5: allowedRequestTypes is identical for a visitor whose claim matches a contract and one whose claim does not', () => {
    const withContract = visitor({ email: 'ana@acme.example', realm: 'acme' }, 'login');
    const without = visitor({ email: 'x@nowhere.example', realm: 'umbrella' }, 'login');
    expect(matchContract(withContract.kind === 'visitor' ? withContract.claims : undefined, CONTRACTS)).toBe('contract');
    expect(matchContract(without.kind === 'visitor' ? without.claims : undefined, CONTRACTS)).toBe('no_contract');
    expect(allowedRequestTypes(withContract)).toEqual(allowedRequestTypes(without));
    for (const t of ALL_TYPES) expect(canOpen(withContract, t)).toBe(canOpen(without, t));
  });
  it('R5: (property) what a visitor may open never depends on their claims or channel', () => {
    const claims = fc.record(
      { email: fc.oneof(fc.emailAddress(), fc.string()), name: fc.string(), realm: fc.oneof(fc.constantFrom('acme', 'globex', 'Acme Integrations'), fc.string()) },
      { requiredKeys: [] },
    );
    const baseline = allowedRequestTypes(visitor());
    fc.assert(
      fc.property(claims, fc.constantFrom<'login' | 'website'>('login', 'website'), (c, ch) => {
        const r = visitor(c, ch);
        expect(allowedRequestTypes(r)).toEqual(baseline);
        expect(visibleRealmId(r)).toBeNull();
      }),
    );
  });
});

describe('environment information', () => {
  it('R8d: environment information is shared with authenticated realm users only', () => {
    expect(mayShareEnvironmentInfo(ana)).toBe(true);
    for (const ch of ['login', 'website'] as const) expect(mayShareEnvironmentInfo(visitor({ realm: 'acme', email: 'ana@acme.example' }, ch))).toBe(false);
  });
});
