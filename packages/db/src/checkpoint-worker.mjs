// The WAL checkpointer, on its own thread with its own connection (see Checkpointer in
// checkpoint.ts). Plain JavaScript so it starts the same under tsx, Vitest and plain Node.
//
// Every `intervalMs` it runs `PRAGMA wal_checkpoint(PASSIVE)`: it copies committed WAL pages
// into the database file and syncs it, without taking the write lock, so the server's
// connection keeps committing meanwhile. The WAL starts over from its beginning only when a
// transaction begins with every frame copied, which a steady stream of commits may never allow:
// so once the WAL holds `restartFrames` frames, the worker asks the server to hold its commits
// ('restart-wanted'), runs a RESTART checkpoint when told 'restart-go', and says 'restart-done'.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs, restartFrames } = workerData;
let db;
try {
  db = new Database(file, { fileMustExist: true });
  // NORMAL: a checkpoint syncs the WAL before copying and the database file after.
  db.pragma('synchronous = NORMAL');
  // Never wait on a lock: a checkpoint that cannot run now runs on the next tick.
  db.pragma('busy_timeout = 0');
  db.pragma('wal_autocheckpoint = 0');
} catch (e) {
  // SqliteError does not survive the trip to the parent thread whole: send its text.
  parentPort.postMessage({ type: 'error', message: `checkpointer cannot open ${file}: ${String(e && e.message)}` });
  process.exit(1);
}

let checkpoints = 0;
let pagesCopied = 0;
let lastWalFrames = 0;
let errors = 0;
let restarts = 0;
let restartAsked = false;

function tick() {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    lastWalFrames = r.log;
    if (r.checkpointed > 0) {
      checkpoints++;
      pagesCopied += r.checkpointed;
    }
    if (r.log >= restartFrames && !restartAsked) {
      restartAsked = true;
      parentPort.postMessage({ type: 'restart-wanted' });
    }
  } catch (e) {
    errors++;
    // SQLITE_BUSY is transient (another checkpoint or a RESTART in progress); anything else is reported.
    if (!/busy|locked/i.test(String(e && e.message))) parentPort.postMessage({ type: 'error', message: String(e && e.message) });
  }
}

const timer = setInterval(tick, intervalMs);

parentPort.on('message', (m) => {
  if (m.type === 'stats') parentPort.postMessage({ type: 'stats', id: m.id, checkpoints, pagesCopied, lastWalFrames, errors, restarts });
  if (m.type === 'restart-go') {
    // The server holds its commits now; the busy timeout only covers a commit already under way.
    let ok = false;
    try {
      db.pragma('busy_timeout = 2000');
      const [r] = db.pragma('wal_checkpoint(RESTART)');
      ok = r.busy === 0;
      if (ok) restarts++;
      lastWalFrames = r.log;
      pagesCopied += r.checkpointed;
    } catch (e) {
      errors++;
    } finally {
      db.pragma('busy_timeout = 0');
    }
    restartAsked = false;
    parentPort.postMessage({ type: 'restart-done', ok });
  }
  if (m.type === 'close') {
    clearInterval(timer);
    tick();
    db.close();
    parentPort.close();
  }
});
