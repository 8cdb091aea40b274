// One process of idle visitors: open `count` sockets, say session.hello on each, answer the
// server's heartbeat pings (ws does that) and hold until told to close. Reports progress to
// the parent over IPC.
import WebSocket from 'ws';

interface Job {
  wsUrl: string;
  origin: string;
  count: number;
  concurrency: number;
}

const sockets: WebSocket[] = [];
let ready = 0;
let failed = 0;
/** Why sockets failed or dropped, counted (diagnostics for the parent). */
const reasons: Record<string, number> = {};
const why = (r: string) => (reasons[r] = (reasons[r] ?? 0) + 1);

function one(job: Job): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(job.wsUrl, { origin: job.origin, perMessageDeflate: false });
    let done = false;
    let held = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      held = ok;
      if (ok) ready++;
      else failed++;
      resolve();
    };
    ws.once('open', () => ws.send(JSON.stringify({ type: 'session.hello', v: 1, channel: 'website', locale: 'en', ref: 'h' })));
    ws.on('message', (d) => {
      if (done) return;
      const ok = d.toString().includes('"session.ready"');
      if (!ok) why(`answered ${d.toString().slice(0, 80)}`);
      finish(ok);
    });
    ws.once('error', (e) => {
      if (!done) why(`error ${e.message}`);
      finish(false);
    });
    ws.once('close', (code) => {
      if (held) {
        held = false;
        ready--; // dropped while holding
        why(`dropped while held (close ${code})`);
      } else if (!done) why(`closed before ready (close ${code})`);
      finish(false);
    });
    sockets.push(ws);
  });
}

process.once('message', async (job: Job) => {
  let next = 0;
  const lane = async () => {
    while (next < job.count) {
      next++;
      await one(job);
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  process.send!({ type: 'connected', ready, failed, reasons });
  process.on('message', (m: { type: string }) => {
    if (m.type === 'count') process.send!({ type: 'count', ready, failed, reasons });
    if (m.type === 'close') {
      for (const ws of sockets) ws.terminate();
      process.send!({ type: 'closed' }, () => process.exit(0));
    }
  });
});
