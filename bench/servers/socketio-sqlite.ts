// The Socket.IO baseline, written the way Socket.IO's delivery guide describes at-least-once
// delivery with a database: persist the message (one transaction, one commit per message), ack
// through the emit callback, then deliver to the recipient's room. SQLite in WAL mode with the
// same synchronous level as Ajuda's run (BASELINE_SYNCHRONOUS, default FULL).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { onStop, ready, serveIpc } from './ipc.ts';

// better-sqlite3 is a dependency of @ajuda/db: resolve it from there.
const require = createRequire(new URL('../../packages/db/package.json', import.meta.url));
interface Sqlite {
  pragma(s: string): unknown;
  exec(s: string): unknown;
  prepare(s: string): { get(...a: unknown[]): unknown };
  close(): void;
}
const Database = require('better-sqlite3') as new (file: string) => Sqlite;

const port = Number(process.env.PORT);
const db = new Database(join(process.env.BENCH_DIR_TMP!, 'baseline.db'));
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${process.env.BASELINE_SYNCHRONOUS ?? 'FULL'}`);
db.exec(`CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL, client_msg_id TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL,
  UNIQUE (conversation_id, client_msg_id))`);
const insert = db.prepare('INSERT INTO messages (conversation_id, client_msg_id, body, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id');

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false, maxHttpBufferSize: 64 * 1024 });
io.on('connection', (socket) => {
  const { role, agent } = socket.handshake.query as { role?: string; agent?: string };
  if (role === 'a') {
    void socket.join(`agent:${agent}`);
    return;
  }
  socket.on('message.send', (f: { conversationId: string; clientMsgId: string; body: string }, ack?: (r: unknown) => void) => {
    const at = new Date().toISOString();
    const row = insert.get(f.conversationId, f.clientMsgId, f.body, at) as { id: number } | undefined; // autocommit: one commit
    ack?.({ clientMsgId: f.clientMsgId, seq: row?.id ?? 0 });
    if (row) io.to(`agent:${agent}`).emit('message.created', { message: { conversationId: f.conversationId, seq: row.id, body: f.body, createdAt: at } });
  });
});
http.listen(port, '127.0.0.1', () => ready(port));
serveIpc();
onStop(
  () =>
    new Promise<void>((r) => {
      void io.close(() => {
        db.close();
        r();
      });
    }),
);
