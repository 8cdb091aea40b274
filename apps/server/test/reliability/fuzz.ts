import fc from 'fast-check';
import WebSocket from 'ws';
import { CLIENT_FRAME_TYPES, ClientFrame, ErrorFrame, MAX_PAYLOAD_BYTES, PROTOCOL_VERSION, ServerFrame } from '@ajuda/protocol';

/**
 * Frame fuzzing over a real socket: invalid JSON, wrong types, prototype keys, deep nesting,
 * huge numbers, unknown types. Every reply must be a valid server frame; every frame that does not
 * parse as a client frame must get exactly one ErrorFrame; nothing may come back as `internal`.
 */
export interface FuzzReport {
  frames: number;
  invalid: number;
  replies: number;
  /** Replies that are not a valid ServerFrame. */
  badReplies: number;
  /** Invalid frames (with a ref) that got no ErrorFrame, or more than one. */
  missingErrors: number;
  /** `internal` errors: a handler threw something unexpected. */
  internalErrors: number;
  /** Whether Object.prototype (and Array.prototype) were left untouched in this process. */
  prototypeIntact: boolean;
  examples: string[];
}

const FIELD_NAMES = ['type', 'ref', 'v', 'channel', 'identityToken', 'visitorToken', 'conversationId', 'clientMsgId', 'body', 'kind', 'lastSeq', 'lastReadSeq', 'answers', 'claims', 'idempotencyKey', 'requestType', 'on', 'minutes', 'level', 'grantId', 'priority', 'reason', 'queue', 'agentId', 'pipelineId', 'action', 'available', 'answered', 'comment', 'locale', 'description', 'environment', 'justification'];
const EVIL_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty'];

const huge = fc.constantFrom(1e308, -1e308, 9007199254740993, -0, 0.5, -1, 2 ** 53, 2 ** 31, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE);
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: huge },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.constantFrom('AJ-000000000000', '', ' ', '\u0000', 'null', '{}', 'a'.repeat(65), 'a'.repeat(9000)) },
);

/** A frame-shaped object: a real or invented type and random fields, some with dangerous names. */
const frameLike = fc
  .record({
    type: fc.oneof(fc.constantFrom(...CLIENT_FRAME_TYPES), fc.constantFrom('nope', 'error', 'session.ready', 'message.ack', '', 'PING', 'ping ', '__proto__'), fc.string({ maxLength: 20 })),
    fields: fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.constantFrom(...EVIL_KEYS), fc.string({ maxLength: 12 })), value, { maxKeys: 8 }),
  })
  // fc.dictionary builds "__proto__" as an own key, so JSON.stringify writes it into the text.
  .map(({ type, fields }) => JSON.stringify({ ...fields, type }));

/** Raw texts JSON.parse treats specially or that stress the parser. */
const special = fc.oneof(
  fc.constantFrom(
    '{"type":"ping","__proto__":{"polluted":"yes"}}',
    '{"__proto__":{"polluted":"yes"},"type":"message.send","conversationId":"AJ-000000000000","clientMsgId":"x","body":"y"}',
    '{"type":"conversation.start","idempotencyKey":"aaaaaaaaaa","requestType":"general_question","answers":{"__proto__":{"polluted":"yes"},"question":"q"}}',
    '{"type":"intake.submit","conversationId":"x","answers":{"constructor":{"prototype":{"polluted":"yes"}}}}',
    '{"constructor":{"prototype":{"polluted":"yes"}},"type":"read","conversationId":"x","lastReadSeq":1}',
    '{"type":"session.resume","conversationId":"x","lastSeq":1e400}',
    '{"type":"grant.create","level":"write","minutes":1e400}',
    '{"type":"read","conversationId":"x","lastReadSeq":-1e-400}',
    '{"type":"ping","ref":{"toString":"x"}}',
    '{"type":"ping","ref":["a"]}',
    '{"type":"ping","ref":"' + 'r'.repeat(500) + '"}',
    'null',
    'true',
    '1',
    '"ping"',
    '[]',
    '[{"type":"ping"}]',
    '',
    ' ',
    '{',
    '{"type":',
    '\u0000',
    '\uFEFF{"type":"ping"}',
    '{"type":"ping"}{"type":"ping"}',
    '{"type":"ping","type":"conversation.list"}',
  ),
  fc.integer({ min: 1, max: 6000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 3000 }).map((n) => `{"type":"intake.submit","conversationId":"x","answers":{"a":${'{"a":'.repeat(n)}1${'}'.repeat(n)}}}`),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
);

export const fuzzFrame: fc.Arbitrary<string> = fc.oneof({ weight: 5, arbitrary: frameLike }, { weight: 3, arbitrary: special });

/** Attach a tracking ref to a JSON object frame (when it is one); returns the ref or null. */
function withRef(text: string, i: number): { text: string; ref: string | null; valid: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { text, ref: null, valid: false };
  }
  if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && !/"ref"\s*:/.test(text) && !/"__proto__"/.test(text)) {
    const ref = `f${i}`;
    const obj = { ...(parsed as object), ref };
    const out = JSON.stringify(obj);
    return { text: out, ref, valid: ClientFrame.safeParse(JSON.parse(out)).success };
  }
  return { text, ref: null, valid: ClientFrame.safeParse(parsed).success };
}

function prototypeIntact(): boolean {
  return Object.keys(Object.prototype).length === 0 && Object.keys(Array.prototype).length === 0 && !('polluted' in {}) && ({} as { polluted?: unknown }).polluted === undefined;
}

async function open(wsUrl: string, origin: string): Promise<{ ws: WebSocket; inbox: string[]; wait: (pred: (s: string) => boolean, ms?: number) => Promise<string> }> {
  const ws = new WebSocket(wsUrl, { origin });
  const inbox: string[] = [];
  const waiters: Array<{ pred: (s: string) => boolean; res: (s: string) => void }> = [];
  ws.on('message', (d) => {
    const s = d.toString();
    inbox.push(s);
    for (const w of [...waiters]) if (w.pred(s)) (waiters.splice(waiters.indexOf(w), 1), w.res(s));
  });
  await new Promise<void>((r, j) => {
    ws.once('open', () => r());
    ws.once('error', j);
  });
  const wait = (pred: (s: string) => boolean, ms = 20_000) =>
    new Promise<string>((res, rej) => {
      const hit = inbox.find(pred);
      if (hit) return res(hit);
      const t = setTimeout(() => rej(new Error(`fuzz: timeout; last: ${inbox.slice(-2).join(' | ').slice(0, 500)}`)), ms);
      waiters.push({ pred, res: (s) => (clearTimeout(t), res(s)) });
    });
  return { ws, inbox, wait };
}

/**
 * Send `count` fuzzed frames on an authenticated visitor socket, in batches each closed by a ping.
 *
 * @example const r = await runFuzz({ url, wsUrl }, 5000); r.badReplies // 0
 */
export async function runFuzz(stack: { url: string; wsUrl: string }, count: number, seed?: number): Promise<FuzzReport> {
  const c = await open(stack.wsUrl, stack.url);
  c.ws.send(JSON.stringify({ type: 'session.hello', v: PROTOCOL_VERSION, channel: 'website', ref: 'hello' }));
  await c.wait((s) => s.includes('"session.ready"'));
  // Something of its own to touch, so some fuzzed frames hit real code paths.
  c.ws.send(JSON.stringify({ type: 'conversation.start', idempotencyKey: 'fuzz-own-conversation', requestType: 'general_question', answers: { question: 'fuzz' }, ref: 'own' }));
  await c.wait((s) => s.includes('"ref":"own"'));
  const samples = fc.sample(fuzzFrame, { numRuns: count, seed });
  const report: FuzzReport = { frames: 0, invalid: 0, replies: 0, badReplies: 0, missingErrors: 0, internalErrors: 0, prototypeIntact: true, examples: [] };
  const note = (s: string) => report.examples.length < 10 && report.examples.push(s.slice(0, 400));
  const BATCH = 250;
  for (let b = 0; b < samples.length; b += BATCH) {
    const from = c.inbox.length;
    const expectErr = new Map<string, string>();
    for (let i = b; i < Math.min(b + BATCH, samples.length); i++) {
      const f = withRef(samples[i]!, i);
      report.frames++;
      if (!f.valid) report.invalid++;
      if (!f.valid && f.ref) expectErr.set(f.ref, f.text);
      c.ws.send(f.text);
    }
    const sync = `sync${b}`;
    c.ws.send(JSON.stringify({ type: 'ping', ref: sync }));
    await c.wait((s) => s.includes(`"ref":"${sync}"`));
    const got = new Map<string, number>();
    for (const s of c.inbox.slice(from)) {
      report.replies++;
      let f: { type?: string; ref?: string; code?: string };
      try {
        f = ServerFrame.parse(JSON.parse(s));
      } catch {
        report.badReplies++;
        note(`bad reply: ${s}`);
        continue;
      }
      if (f.type === 'error' && f.code === 'internal') {
        report.internalErrors++;
        note(`internal: ${s}`);
      }
      if (f.ref && expectErr.has(f.ref)) {
        if (!ErrorFrame.safeParse(f).success || f.type !== 'error') note(`non-error reply to invalid frame ${expectErr.get(f.ref)}: ${s}`);
        got.set(f.ref, (got.get(f.ref) ?? 0) + 1);
      }
    }
    for (const [ref, text] of expectErr) {
      if (got.get(ref) !== 1) {
        report.missingErrors++;
        note(`expected one error for ${text.slice(0, 200)}, got ${got.get(ref) ?? 0}`);
      }
    }
  }
  c.ws.close();
  report.prototypeIntact = prototypeIntact();
  return report;
}

/**
 * The frame-size limit: exactly MAX_PAYLOAD_BYTES is processed, one byte more closes with 1009.
 */
export async function payloadLimit(stack: { url: string; wsUrl: string }): Promise<{ atLimit: string; overLimitClose: number }> {
  const pad = (n: number) => {
    const head = '{"type":"ping","ref":"big","pad":"';
    const tail = '"}';
    return head + 'x'.repeat(n - head.length - tail.length) + tail;
  };
  const a = await open(stack.wsUrl, stack.url);
  a.ws.send(JSON.stringify({ type: 'session.hello', v: PROTOCOL_VERSION, channel: 'website' }));
  await a.wait((s) => s.includes('"session.ready"'));
  const exact = pad(MAX_PAYLOAD_BYTES);
  if (Buffer.byteLength(exact) !== MAX_PAYLOAD_BYTES) throw new Error('pad size');
  a.ws.send(exact);
  const atLimit = await a.wait((s) => s.includes('"ref":"big"'));
  a.ws.close();
  const b = await open(stack.wsUrl, stack.url);
  const closed = new Promise<number>((r) => b.ws.once('close', (code) => r(code)));
  b.ws.send(pad(MAX_PAYLOAD_BYTES + 1));
  return { atLimit, overLimitClose: await closed };
}

export { prototypeIntact };
