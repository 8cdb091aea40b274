import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { SERVER_FRAME_TYPES, ServerFrame } from '@ajuda/protocol';
import { startTestStack, type TestStack } from '../../src/testing.ts';
import { agent, idem, requester, type TestClient } from '../client.ts';
import { reply } from './harness.ts';
import { mailSink, type MailSink } from '../email/sink.ts';

let stack: TestStack;
let sink: MailSink;
beforeAll(async () => {
  // Email on: a real SMTP server on loopback receives the code and the transcript (email.status, transcript).
  sink = await mailSink();
  const email = { AJUDA_SMTP_URL: sink.url, AJUDA_EMAIL_FROM: 'Ajuda Support <support@mail.test>', AJUDA_EMAIL_INBOUND_DOMAIN: 'mail.test' };
  // Tiny SLA targets and a fast tick so `sla.breached` happens during the script.
  const sla = { firstResponseMin: 0.02, nextResponseMin: 0.02, resolutionMin: 0.05 };
  stack = await startTestStack({ ...email, AJUDA_FRAMES_PER_SECOND: '100000', AJUDA_FRAME_BURST: '100000', AJUDA_SLA_TICK_MS: '200', AJUDA_SLA: JSON.stringify({ P1: sla, P2: sla, P3: sla, P4: sla }) }, { demo: false });
});
afterAll(async () => {
  await stack?.close();
  await sink?.close();
});

type Def = { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; options?: z.ZodType[]; valueType?: z.ZodType; in?: z.ZodType; out?: z.ZodType };
const def = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Keys present in `value` that `schema` does not name, as paths (recursively). */
export function extraKeys(schema: z.ZodType, value: unknown, path = '$'): string[] {
  const d = def(schema);
  switch (d.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return value === undefined || value === null ? [] : extraKeys(d.innerType!, value, path);
    case 'pipe':
      return extraKeys(d.in!, value, path);
    case 'object': {
      if (!value || typeof value !== 'object') return [];
      const out: string[] = [];
      for (const k of Object.keys(value)) {
        const sub = d.shape![k];
        if (!sub) out.push(`${path}.${k}`);
        else out.push(...extraKeys(sub, (value as Record<string, unknown>)[k], `${path}.${k}`));
      }
      return out;
    }
    case 'array':
      return Array.isArray(value) ? value.flatMap((v, i) => extraKeys(d.element!, v, `${path}[${i}]`)) : [];
    case 'union': {
      const opt = d.options!.find((o) => o.safeParse(value).success);
      return opt ? extraKeys(opt, value, path) : [`${path} (matches no option)`];
    }
    case 'record':
      return value && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => extraKeys(d.valueType!, v, `${path}.${k}`)) : [];
    default:
      return [];
  }
}

const OPTION = new Map(ServerFrame.options.map((o) => [o.shape.type.value as string, o as z.ZodType]));

describe('outbound allow-list', () => {
  it('R7, R7a, R5: a scripted session touching every server frame type: each frame parses with its schema, has no key outside it, no note text, no token echo, no other realm on requester sockets', async () => {
    const NOTE = 'INTERNAL-NOTE-7f3a';
    const anaToken = await stack.signIdentity({ sub: 'u_ana', realm: 'acme', name: 'Ana Souza', email: 'ana@acme.example', perms: ['support.grant'], locale: 'en' });
    const ginaToken = await stack.signIdentity({ sub: 'u_gina', realm: 'globex', locale: 'en' });
    const lea = await agent(stack, 'lea@ajuda.local');
    const joao = await agent(stack, 'joao@ajuda.local');
    const emma = await agent(stack, 'emma@ajuda.local');
    await lea.request({ type: 'inbox.get' }, 'inbox');
    await joao.request({ type: 'inbox.get' }, 'inbox');

    // Requesters: a visitor, Ana (acme, may grant), Gina (globex).
    const visitor = await requester(stack, { channel: 'website', locale: 'en' });
    const ana = await requester(stack, { channel: 'platform', identityToken: anaToken });
    const gina = await requester(stack, { channel: 'platform', identityToken: ginaToken });
    const gConv = (await gina.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: { question: 'globex question GLOBEX-SECRET' } }, 'conversation.started')).conversation.id;

    await reply(visitor, { type: 'ping' });
    await reply(visitor, { type: 'realm.directory.get' }); // error forbidden
    const vConv = (await visitor.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', claims: { email: 'someone@acme.example' } }, 'conversation.started')).conversation.id;
    await visitor.request({ type: 'intake.submit', conversationId: vConv, answers: { question: 'How do retries work?' } }, 'conversation.updated');
    await visitor.request({ type: 'conversation.list' }, 'conversation.list.result');

    // Email continuity on the visitor's own conversation: an address confirmed with the mailed code, transcripts.
    await visitor.request({ type: 'email.status.get', conversationId: vConv }, 'email.status');
    await visitor.request({ type: 'email.request', conversationId: vConv, address: 'vi@visitor.example' }, 'email.status');
    const codeMail = await sink.until((r) => r.envelope.to.includes('vi@visitor.example') && /\d{6}/.test(r.mail.subject ?? ''));
    const code = /(\d{6})/.exec(codeMail.mail.subject!)![1]!;
    expect(await visitor.request({ type: 'email.confirm', conversationId: vConv, code }, 'email.status')).toMatchObject({ state: 'confirmed', address: 'vi@visitor.example' });
    await visitor.request({ type: 'transcript.get', conversationId: vConv, deliver: 'download' }, 'transcript');
    expect(await visitor.request({ type: 'transcript.get', conversationId: vConv, deliver: 'email' }, 'transcript')).toMatchObject({ emailedTo: 'vi@visitor.example' });

    await ana.request({ type: 'realm.directory.get' }, 'realm.directory');
    const aConv = (await ana.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', locale: 'en', answers: { question: 'Orders sync question' } }, 'conversation.started')).conversation.id;
    await ana.request({ type: 'grant.list.get' }, 'grant.list');
    await ana.request({ type: 'grant.create', level: 'write', minutes: 30 }, 'grant.list');

    // Agents open, talk, note, read, type, look at the realm.
    await joao.request({ type: 'conversation.open', conversationId: aConv }, 'conversation.snapshot');
    await joao.request({ type: 'realm.view', conversationId: aConv }, 'realm.snapshot');
    await joao.request({ type: 'realm.adjust', conversationId: aConv, pipelineId: 'pl_orders', action: 'restart' }, 'realm.snapshot');
    await joao.request({ type: 'message.send', conversationId: aConv, clientMsgId: 'n1', body: NOTE, kind: 'note' }, 'message.ack');
    await joao.request({ type: 'message.send', conversationId: aConv, clientMsgId: 'r1', body: 'Hello Ana' }, 'message.ack');
    await ana.wait('message.created', (f) => f.message.body === 'Hello Ana');
    await ana.request({ type: 'message.send', conversationId: aConv, clientMsgId: 'a1', body: 'Thanks' }, 'message.ack');
    ana.send({ type: 'typing.set', conversationId: aConv, on: true });
    await joao.wait('typing', (f) => f.conversationId === aConv);
    joao.send({ type: 'typing.set', conversationId: aConv, on: true });
    await ana.wait('typing', (f) => f.conversationId === aConv);
    const lastSeq = (await joao.request({ type: 'conversation.open', conversationId: aConv }, 'conversation.snapshot')).conversation.lastSeq;
    joao.send({ type: 'read', conversationId: aConv, lastReadSeq: lastSeq });
    await ana.wait('read.receipt', (f) => f.conversationId === aConv);
    await ana.request({ type: 'session.resume', conversationId: aConv, lastSeq: 0 }, 'resume.done');

    // SLA: the visitor's conversation gets no reply, so its tiny first-response target is breached.
    await lea.wait('sla.breached', () => true, 15_000);

    // Escalation: the conversation leaves joao's queue (he loses it) and reaches the lead.
    await ana.request({ type: 'escalation.create', conversationId: aConv, reason: 'other_engineer', description: 'Please have someone else look', environment: 'Prod', justification: 'Urgent' }, 'escalation.created');
    await lea.wait('agent.escalation', () => true);
    await joao.wait('agent.conversation.removed', (f) => f.conversationId === aConv);
    await lea.wait('agent.conversation.updated', (f) => f.conversation.id === aConv);

    // Resolution and feedback (R14).
    await lea.request({ type: 'conversation.open', conversationId: aConv }, 'conversation.snapshot');
    lea.send({ type: 'conversation.resolve', conversationId: aConv });
    await ana.wait('feedback.requested', (f) => f.conversationId === aConv);
    await ana.wait('conversation.updated', (f) => f.conversation.id === aConv && f.conversation.status === 'resolved');
    await ana.request({ type: 'feedback.submit', conversationId: aConv, answered: true, comment: 'yes' }, 'feedback.recorded');

    // Session end (agent audience).
    await fetch(`${stack.url}/api/agent/logout`, { method: 'POST', headers: { cookie: `ajuda_agent=${emma.token}` } });
    await emma.wait('session.ended', () => true);

    const requesters = { visitor, ana, gina };
    const agents = { lea, joao, emma };
    const all = { ...requesters, ...agents };
    const seen = new Set<string>();
    const problems: string[] = [];
    const secrets = [anaToken, ginaToken, lea.token, joao.token, emma.token, 'admin-token-0123456789abcdefghij', 'inbound-secret-0123456789abcdef', 'test-identity-secret'];
    for (const [who, c] of Object.entries(all) as Array<[string, TestClient & { token?: string }]>) {
      const ownVisitorToken = (c.frames.find((f) => f.type === 'session.ready') as { visitorToken?: string } | undefined)?.visitorToken;
      for (const raw of c.raw) {
        const json = JSON.parse(raw) as { type: string };
        seen.add(json.type);
        const schema = OPTION.get(json.type);
        if (!schema) {
          problems.push(`${who}: unknown type ${json.type}`);
          continue;
        }
        if (!schema.safeParse(json).success) problems.push(`${who}: ${json.type} does not parse`);
        for (const k of extraKeys(schema, json)) problems.push(`${who}: ${json.type} has ${k}`);
        for (const s of secrets) if (raw.includes(s)) problems.push(`${who}: ${json.type} echoes a secret/token`);
        if (/tokenHash|passwordHash|sessionHash|ownerKey|idempotencyKey|visitorId/.test(raw)) problems.push(`${who}: ${json.type} carries an internal field`);
        if (who in requesters) {
          if (raw.includes(NOTE)) problems.push(`${who}: internal note text`);
          if (json.type !== 'session.ready' && ownVisitorToken && raw.includes(ownVisitorToken)) problems.push(`${who}: visitor token echoed`);
          if (/"vt_/.test(raw) && json.type !== 'session.ready') problems.push(`${who}: a visitor token in ${json.type}`);
          if (/contractMatch|"realmId"|priorityTrace|routingLog/.test(raw)) problems.push(`${who}: agent-only field in ${json.type}`);
        }
        if (who !== 'gina' && who in requesters && /globex|GLX-|GLOBEX-SECRET|u_gina/.test(raw)) problems.push(`${who}: another realm's data in ${json.type}`);
        if (who !== 'gina' && who in requesters && raw.includes(gConv)) problems.push(`${who}: another realm's conversation id`);
        if (who === 'gina' && /acme|ORD-SYNC|pl_orders|u_ana|Orders sync/i.test(raw)) problems.push(`gina: acme data in ${json.type}`);
      }
    }
    expect(problems).toEqual([]);
    expect([...seen].sort()).toEqual([...SERVER_FRAME_TYPES].sort());
    for (const c of Object.values(all)) c.close();
  }, 60_000);

  it('extraKeys finds a smuggled key (the checker can fail)', () => {
    const frame = { type: 'message.created', message: { conversationId: 'AJ-1', seq: 1, sender: { role: 'agent', passwordHash: 'x' }, kind: 'text', body: 'b', at: 'now' }, ownerKey: 'v:1' };
    expect(extraKeys(OPTION.get('message.created')!, frame).sort()).toEqual(['$.message.sender.passwordHash', '$.ownerKey']);
  });
});

