import { createDb, openStore } from '../src/index.ts';
import { mkdtempSync, statSync } from 'node:fs';
const dir = mkdtempSync('/tmp/ck-');
const db = createDb(`${dir}/a.db`, { onCheckpointFallback: (r) => console.log('fallback', r) });
const { repo, writer } = openStore(db);
console.log('opened');
db.sqlite.exec(`INSERT INTO conversations (id, channel, requester_kind, owner_key, contract_match, request_type, answers, priority_trace, status, queue, language, last_seq, idempotency_key, created_at, updated_at, requester_read_seq, agent_read_seq, escalated, flagged_complex, breaches) VALUES ('c1','website','visitor','v:1','unknown','general_question','{}','[]','queued','support','en',0,'k','x','x',0,0,0,0,'[]')`);
for (let r = 0; r < 200; r++) { await Promise.all(Array.from({ length: 500 }, (_, i) => writer.write(() => repo.appendMessage({ conversationId: 'c1', sender: 'requester', senderName: null, kind: 'text', body: 'x'.repeat(100), clientMsgId: `${r}-${i}`, at: 'x' }, 'requester'), { replayable: true }))); if (r % 50 === 0) console.log('round', r); }
await new Promise((r) => setTimeout(r, 500));
console.log(await db.checkpointStats(), 'wal bytes', statSync(`${dir}/a.db-wal`).size, 'db bytes', statSync(`${dir}/a.db`).size);
db.close();
