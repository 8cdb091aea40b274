import { describe, expect, it } from 'vitest';
import { runCrashRounds } from './crash.ts';

describe('crash under load', () => {
  it('SIGKILL at random moments under load (3 rounds, 10 sockets): every acked message is stored exactly once, seq gapless, integrity ok', async () => {
    const r = await runCrashRounds({ rounds: 3, sockets: 10, conversations: 3, loadMs: [200, 900] });
    expect(r.detail).toEqual([]);
    expect(r.acked).toBeGreaterThan(50);
    expect(r.ackedLost).toBe(0);
    expect(r.ackSeqMismatch).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.seqGaps).toBe(0);
    expect(r.integrityOk).toBe(true);
    expect(r.restartToReadyMs).toHaveLength(3);
  }, 55_000);
});
