import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { HostToFrame, PROTOCOL_VERSION, ServerFrame } from '@ajuda/protocol';
import { PROTOCOL_VERSION as WIDGET_VERSION, parseHostMessage, parseServerFrame } from '../src/guards.ts';
import { conv, msg } from './helpers.tsx';

// The widget checks what it receives with small hand-written guards (guards.ts) instead of the
// protocol's zod schemas (29 KB gzip). The protocol stays the reference: these tests require the
// same verdict as the zod schemas on valid frames and on many thousands of mutations of them.

const CONSUMED = new Set([
  'error', 'session.ready', 'pong', 'session.ended', 'conversation.started', 'conversation.updated', 'conversation.list.result',
  'message.ack', 'message.created', 'typing', 'read.receipt', 'resume.done', 'realm.directory', 'escalation.created',
  'feedback.requested', 'feedback.recorded', 'grant.list',
]);
const at = '2025-03-01T10:00:00.000Z';
const agentView = { id: 'a_1', name: 'Joao', role: 'agent', languages: ['pt', 'en'], teams: [], available: true };
const pipeline = { id: 'pl_orders', name: 'Orders sync', key: 'ORD-SYNC-01', environment: 'Prod', status: 'running', projectId: null, inProjectPhase: false };
const escalation = { id: 'e_1', conversationId: 'c_1', reason: 'disagree', description: 'd', environment: 'Test', justification: 'j', source: 'widget', createdAt: at };
const grant = { id: 'g_1', level: 'write', grantedBy: 'Ana', createdAt: at, expiresAt: at, revokedAt: null };

/** Valid frames of every type the widget consumes, and agent-side frames it must drop. */
const SERVER_SAMPLES: Array<Record<string, unknown>> = [
  { type: 'error', code: 'intake_invalid', ref: 'r1', i18nKey: 'error.intake_invalid', conversationId: 'c_1', fields: { question: { code: 'required', i18nKey: 'intake.error.required' } }, retryAfter: 1.5, message: 'm', incident: 'i' },
  { type: 'error', code: 'rate_limited' },
  { type: 'session.ready', v: PROTOCOL_VERSION, principal: { kind: 'visitor' }, locale: 'en', heartbeatMs: 25000, visitorToken: 'vt', requestTypes: ['general_question'], expiresAt: at },
  { type: 'session.ready', v: 1, principal: { kind: 'realm_user', name: 'Ana', realmName: null, canGrant: true }, locale: 'pt', heartbeatMs: 25000 },
  { type: 'session.ready', v: 1, principal: { kind: 'agent', agent: agentView }, locale: 'pt', heartbeatMs: 25000 },
  { type: 'pong', at },
  { type: 'session.ended', reason: 'grant_revoked' },
  { type: 'conversation.started', ref: 'r2', conversation: conv() },
  { type: 'conversation.updated', conversation: conv({ status: 'resolved', priority: null, assignee: null, feedback: { answered: false, comment: 'no' }, firstResponseDueAt: null }) },
  { type: 'conversation.list.result', conversations: [conv(), conv({ id: 'c_2', answers: { pipeline: { name: 'x', key: 'y' } } })] },
  { type: 'message.ack', conversationId: 'c_1', clientMsgId: 'm1', seq: 3, at },
  { type: 'message.created', message: { ...msg(2, 'agent', 'hi'), clientMsgId: 'x' } },
  { type: 'message.created', message: msg(1, 'system', 'queued') },
  { type: 'typing', conversationId: 'c_1', from: 'agent', on: true },
  { type: 'read.receipt', conversationId: 'c_1', by: 'agent', lastReadSeq: 0 },
  { type: 'resume.done', conversationId: 'c_1', lastSeq: 4, replayed: 2 },
  { type: 'realm.directory', pipelines: [pipeline, { ...pipeline, id: 'pl_m', projectId: 'prj_1', inProjectPhase: true }], projects: [{ id: 'prj_1', name: 'ERP', ongoing: true }] },
  { type: 'escalation.created', escalation },
  { type: 'feedback.requested', conversationId: 'c_1' },
  { type: 'feedback.recorded', conversationId: 'c_1', answered: true, comment: 'thanks' },
  { type: 'grant.list', grants: [grant, { ...grant, revokedAt: at }] },
  // agent-side frames: valid for the protocol, never for the widget
  { type: 'agent.conversation.removed', conversationId: 'c_1' },
  { type: 'agent.escalation', escalation },
  { type: 'sla.breached', conversationId: 'c_1', clock: 'resolution', at },
];

const HOST = 'https://app.acme.example';
const HOST_SAMPLES: Array<Record<string, unknown>> = [
  { ajuda: 1, type: 'host.init', channel: 'platform', locale: 'pt', theme: { primary: '#1f4fd1', position: 'left' }, hostOrigin: HOST },
  { ajuda: 1, type: 'host.init', channel: 'website', hostOrigin: 'http://localhost:5173', theme: { primary: 'rgba(10, 20, 30, .5)' } },
  { ajuda: 1, type: 'host.identity', identityToken: 'eyJ.x.y' },
  { ajuda: 1, type: 'host.show' },
  { ajuda: 1, type: 'host.hide' },
  { ajuda: 1, type: 'host.update', locale: 'es', theme: { primary: 'teal' } },
  { ajuda: 1, type: 'host.shutdown' },
  // frame → host: the wrong direction
  { ajuda: 1, type: 'frame.unread', count: 2 },
  { ajuda: 1, type: 'frame.close' },
];

/** What the widget must accept: valid for the protocol, of a consumed type, never an agent principal. */
const serverOracle = (x: unknown) => {
  const r = ServerFrame.safeParse(x);
  return r.success && CONSUMED.has(r.data.type) && !(r.data.type === 'session.ready' && r.data.principal.kind === 'agent');
};
const hostOracle = (x: unknown) => HostToFrame.safeParse(x).success;

// ── mutations ──
type Path = Array<string | number>;
function paths(v: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}
const long = (n: number) => 'x'.repeat(n);
/** Values near every boundary the protocol draws: lengths, integers, enums, patterns. */
const interesting = fc.constantFrom<unknown>(
  '', 'a', long(64), long(65), long(200), long(201), long(300), long(301), long(8192), long(8193),
  0, -1, 1, 1.5, 2 ** 53, -(2 ** 53), 2 ** 53 - 1, 1e308,
  null, true, false, [], {}, [1], { a: 1 },
  'pt', 'de', 'en', 'P1', 'P5', 'Prod', 'prod', 'agent', 'visitor', 'realm_user', 'requester', 'system', 'note', 'write', 'read',
  'queued', 'open', 'platform', 'intranet', 'incident', 'bug', 'disagree', 'widget', 'left', 'center', 'grant_revoked',
  '#fff', '#ffff', '#fffff', 'url(x)', 'red;x', 'rgb(1,2,3)', 'rgb(var(--x))', 'https://a.example', 'https://a.example/', 'javascript:x',
  'session.ready', 'message.created', 'inbox', 'host.show', 'frame.ready',
);
const valueArb = fc.oneof(interesting, fc.jsonValue({ maxDepth: 2 }));
const LENGTHS = [0, 1, 63, 64, 65, 199, 200, 201, 299, 300, 301, 8191, 8192, 8193];
const NUMBERS = [-1, 0, 1, 1.5, -0.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53)];
type Mutation = { path: number; op: 'set' | 'typed' | 'delete' | 'add'; value: unknown; key: string; pick: number };
const mutationArb = fc.record({
  path: fc.nat(),
  op: fc.constantFrom<Mutation['op']>('set', 'typed', 'typed', 'delete', 'add'),
  value: valueArb,
  key: fc.constantFrom('extra', 'type', 'ref', 'kind', 'name', '__proto__', 'constructor'),
  pick: fc.nat(),
});

/** A value of the same type as `cur` at a boundary: a string stretched or cut to a length limit, an edge number. */
function near(cur: unknown, pick: number): unknown {
  if (typeof cur === 'number') return NUMBERS[pick % NUMBERS.length];
  if (typeof cur !== 'string') return cur;
  const len = LENGTHS[pick % LENGTHS.length]!;
  if (len <= cur.length) return cur.slice(0, len);
  // Keep patterns matching while growing: rgb(…) grows inside the parentheses, an origin in its host.
  return cur.endsWith(')') ? cur.slice(0, -1) + '0'.repeat(len - cur.length) + ')' : cur + 'x'.repeat(len - cur.length);
}

// Generated values are shared between runs: each use gets its own copy, so no mutation ever builds a cycle.
function mutate(sample: Record<string, unknown>, ms: Mutation[], roundTrip: boolean): unknown {
  let root: unknown = structuredClone(sample);
  for (const m of ms) {
    const all = paths(root);
    const path = all[m.path % all.length]!;
    if (path.length === 0) {
      if (m.op === 'set' || m.op === 'typed') root = structuredClone(m.value);
      // Keys are added to objects only (as below): an array given an own `constructor` breaks splice itself.
      else if (m.op === 'add' && root && typeof root === 'object' && !Array.isArray(root)) Object.defineProperty(root, m.key, { value: structuredClone(m.value), enumerable: true, configurable: true, writable: true });
      continue;
    }
    let parent = root as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
    const last = path[path.length - 1]!;
    if (m.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[last];
    } else if (m.op === 'set') parent[last] = structuredClone(m.value);
    else if (m.op === 'typed') parent[last] = near(parent[last], m.pick);
    else {
      const target = parent[last];
      if (target && typeof target === 'object' && !Array.isArray(target))
        Object.defineProperty(target, m.key, { value: structuredClone(m.value), enumerable: true, configurable: true, writable: true });
    }
  }
  // Server frames reach the widget as JSON text; bridge messages by structured clone.
  return roundTrip ? JSON.parse(JSON.stringify(root) ?? 'null') : root;
}

describe('widget guards vs the protocol schemas', () => {
  it('hello carries the protocol version', () => {
    expect(WIDGET_VERSION).toBe(PROTOCOL_VERSION);
  });

  it('accept every valid frame the widget consumes and drop agent-side frames and agent principals', () => {
    for (const s of SERVER_SAMPLES) {
      expect(ServerFrame.safeParse(s).success, `${String(s.type)} sample is valid for the protocol`).toBe(true);
      expect(parseServerFrame(s) !== null, String(s.type)).toBe(serverOracle(s));
    }
    expect(SERVER_SAMPLES.filter((s) => parseServerFrame(s)).length).toBe(SERVER_SAMPLES.length - 4);
    expect(new Set(SERVER_SAMPLES.filter((s) => parseServerFrame(s)).map((s) => s.type))).toEqual(CONSUMED);
    for (const s of HOST_SAMPLES) expect(parseHostMessage(s) !== null, String(s.type)).toBe(hostOracle(s));
    expect(HOST_SAMPLES.filter((s) => parseHostMessage(s)).length).toBe(7);
  });

  it('DESIGN habit 9: a mutated server frame is accepted exactly when the protocol schema accepts it (and the widget consumes it)', () => {
    let rejected = 0;
    fc.assert(
      fc.property(fc.constantFrom(...SERVER_SAMPLES), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (sample, ms) => {
        const x = mutate(sample, ms, true);
        const want = serverOracle(x);
        if (!want) rejected++;
        expect(parseServerFrame(x) !== null, JSON.stringify(x)?.slice(0, 400)).toBe(want);
      }),
      { numRuns: 10_000 },
    );
    expect(rejected).toBeGreaterThan(1000); // the mutations do reach the checks
  });

  it('DESIGN habit 9: a mutated host message is accepted exactly when HostToFrame accepts it', () => {
    let rejected = 0;
    fc.assert(
      fc.property(fc.constantFrom(...HOST_SAMPLES), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (sample, ms) => {
        const x = mutate(sample, ms, false);
        const want = hostOracle(x);
        if (!want) rejected++;
        expect(parseHostMessage(x) !== null, String(JSON.stringify(x)).slice(0, 400)).toBe(want);
      }),
      { numRuns: 5000 },
    );
    expect(rejected).toBeGreaterThan(500);
  });

  it('what is returned is the frame itself (nothing rebuilt), and non-objects are dropped', () => {
    const f = SERVER_SAMPLES[7]!;
    expect(parseServerFrame(f)).toBe(f);
    for (const x of [null, undefined, 'session.ready', 42, [], [f]]) {
      expect(parseServerFrame(x)).toBeNull();
      expect(parseHostMessage(x)).toBeNull();
    }
  });
});
