// The raw `ws` relay: the ceiling for a WebSocket message relay on this machine. No validation,
// no storage: parse just enough JSON to route, forward to the paired agent socket, ack the sender.
// Sockets say who they are in the URL: /?role=a&agent=K (agent socket K) or /?role=r&agent=K.
import { WebSocketServer, type WebSocket } from 'ws';
import { onStop, ready, serveIpc } from './ipc.ts';

const port = Number(process.env.PORT);
const agents = new Map<string, WebSocket>();
let seq = 0;
const wss = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 64 * 1024 });
wss.on('connection', (ws, req) => {
  const q = new URL(req.url ?? '/', 'http://x').searchParams;
  const agent = q.get('agent') ?? '0';
  if (q.get('role') === 'a') {
    agents.set(agent, ws);
    return;
  }
  ws.on('message', (data) => {
    const f = JSON.parse(data.toString()) as { clientMsgId: string; body: string; conversationId: string };
    const s = ++seq;
    ws.send(JSON.stringify({ type: 'message.ack', conversationId: f.conversationId, clientMsgId: f.clientMsgId, seq: s }));
    agents.get(agent)?.send(JSON.stringify({ type: 'message.created', message: { conversationId: f.conversationId, seq: s, body: f.body } }));
  });
});
wss.on('listening', () => ready(port));
serveIpc();
onStop(() => new Promise<void>((r) => wss.close(() => r())));
