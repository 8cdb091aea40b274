import { fork } from 'node:child_process';
import { join } from 'node:path';
import { BENCH_DIR, ROOT } from './proc.ts';
import type { LoadJob, Mark, PhaseResult } from './loadgen.ts';

/**
 * Run a load job in a separate process (the generator never shares the server's CPU time slice
 * or event loop). Killed if it overruns its phases by more than `graceMs`. `onMark` hears when each
 * phase's measuring window starts and ends (to sample the servers' CPU over exactly that window).
 *
 * @example const [r] = await runLoad({ target: 'ajuda', url, requesters: 100, agentSockets: 20, phases: [...] });
 */
export function runLoad(job: LoadJob, opts: { graceMs?: number; log?: (s: string) => void; onMark?: (m: Mark) => void } = {}): Promise<PhaseResult[]> {
  const budget = job.phases.reduce((s, p) => s + (p.seconds + p.warmup) * 1000 + 11_000, 0) + (opts.graceMs ?? 120_000);
  return new Promise((res, rej) => {
    const child = fork(join(BENCH_DIR, 'lib', 'loadgen.ts'), ['child'], { cwd: ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rej(new Error(`load generator overran its ${Math.round(budget / 1000)} s budget`));
    }, budget);
    child.on('message', (m: { type: string; r?: PhaseResult; results?: PhaseResult[]; error?: string; m?: Mark }) => {
      if (m.type === 'mark' && m.m) opts.onMark?.(m.m);
      if (m.type === 'phase' && m.r) opts.log?.(`    ${job.target} ${m.r.name}: offered ${m.r.offeredPerSec}/s delivered ${m.r.deliveredPerSec}/s acked ${m.r.ackedPerSec}/s p50 ${m.r.p50Ms} ms p99 ${m.r.p99Ms} ms late ${m.r.late} errors ${m.r.errors}`);
      if (m.type === 'done') {
        clearTimeout(timer);
        res(m.results!);
      }
      if (m.type === 'fail') {
        clearTimeout(timer);
        rej(new Error(m.error));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`load generator exited with ${code}`));
    });
    child.send(job);
  });
}
