/**
 * Measures one 1,000-message exchange between a requester and an agent over real sockets
 * (500 each way), on a temp-file SQLite with synchronous=FULL: once pipelined (both sides send
 * without waiting) and once as 1,000 sequential round trips (send, wait for the ack and the
 * delivery). Prints the wall time of each; nothing is asserted.
 *
 *   pnpm exec tsx scripts/exchange.ts
 */
import { startTestStack } from '../apps/server/src/testing.ts';
import { agent, idem, requester, type TestClient } from '../apps/server/test/client.ts';

const stack = await startTestStack({ AJUDA_FRAMES_PER_SECOND: '100000', AJUDA_FRAME_BURST: '100000', LOG_LEVEL: 'error' }, { demo: false });
try {
  const a = await agent(stack, 'emma@ajuda.local');
  const r = await requester(stack, { locale: 'en' });
  const open = async () => {
    const s = await r.request({ type: 'conversation.start', idempotencyKey: idem(), requestType: 'general_question', answers: { question: 'q' } }, 'conversation.started');
    await a.request({ type: 'conversation.open', conversationId: s.conversation.id }, 'conversation.snapshot');
    return s.conversation.id;
  };
  const delivered = (c: TestClient, id: string, body: string) => c.wait('message.created', (f) => f.message.conversationId === id && f.message.body === body, 60_000);

  // Pipelined: both sides send 500 at once.
  let id = await open();
  let t0 = performance.now();
  const acks: Promise<unknown>[] = [];
  for (let i = 0; i < 500; i++) {
    acks.push(r.request({ type: 'message.send', conversationId: id, clientMsgId: `r${i}`, body: `r${i}` }, 'message.ack', 60_000));
    acks.push(a.request({ type: 'message.send', conversationId: id, clientMsgId: `a${i}`, body: `a${i}` }, 'message.ack', 60_000));
  }
  await Promise.all([...acks, delivered(a, id, 'r499'), delivered(r, id, 'a499')]);
  const pipelined = performance.now() - t0;

  // Sequential: 1,000 round trips, alternating sides.
  id = await open();
  t0 = performance.now();
  for (let i = 0; i < 1000; i++) {
    const [from, to] = i % 2 ? [a, r] : [r, a];
    const body = `s${i}`;
    await Promise.all([from.request({ type: 'message.send', conversationId: id, clientMsgId: body, body }, 'message.ack', 60_000), delivered(to, id, body)]);
  }
  const sequential = performance.now() - t0;
  const writer = await stack.app.ajuda.svc.store.stats();
  console.log(JSON.stringify({ synchronous: stack.config.synchronous, messages: 1000, pipelinedMs: Math.round(pipelined), sequentialMs: Math.round(sequential), sequentialPerMessageMs: +(sequential / 1000).toFixed(2), batches: writer.batches, maxBatch: writer.maxBatch }, null, 2));
  a.close();
  r.close();
} finally {
  await stack.close();
}
