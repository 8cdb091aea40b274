import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TestClient } from '../client.ts';
import { agentSocket, login, startQuestion, visitor } from './flows.ts';
import { printLogsOnFailure, startClusterEnv, type AjudaNode, type ClusterEnv } from './harness.ts';

/**
 * R10 in a cluster: the SLA ticker runs on one process (the leader), yet every lead socket on
 * every process hears each breach — once. A general question is P4; here its first-response
 * target is 1.2 s and its resolution target 2.4 s (next response stays far away), the ticker runs
 * every 200 ms, so each conversation breaches exactly two clocks shortly after it starts.
 */
const SLA = { P4: { firstResponseMin: 0.02, nextResponseMin: 600, resolutionMin: 0.04 } };
const CLOCKS = ['first_response', 'resolution'] as const;

let env: ClusterEnv | undefined;
beforeAll(async () => {
  // info: the leader logs `cluster: leader` (warn would hide it).
  env = await startClusterEnv({ nodes: 3, env: { AJUDA_SLA: JSON.stringify(SLA), AJUDA_SLA_TICK_MS: '200', LOG_LEVEL: 'info' } });
});
afterAll(async () => {
  await env?.close();
});
printLogsOnFailure(() => env);

/** The node that logged `cluster: leader` last without losing it since (pino JSON lines). */
function leaderFromLogs(nodes: AjudaNode[]): AjudaNode | null {
  let best: { node: AjudaNode; time: number } | null = null;
  for (const n of nodes) {
    if (n.exited) continue;
    let state: { leading: boolean; time: number } | null = null;
    for (const line of readFileSync(n.logFile, 'utf8').split('\n')) {
      if (!line.includes('cluster: lead')) continue;
      let rec: { msg?: string; time?: number };
      try {
        rec = JSON.parse(line) as { msg?: string; time?: number };
      } catch {
        continue;
      }
      if (rec.msg === 'cluster: leader') state = { leading: true, time: rec.time ?? 0 };
      else if (rec.msg?.startsWith('cluster: leadership lost')) state = { leading: false, time: rec.time ?? 0 };
    }
    if (state?.leading && (!best || state.time > best.time)) best = { node: n, time: state.time };
  }
  return best?.node ?? null;
}

const breaches = (lead: TestClient, conversationId: string) =>
  lead.frames.filter((f) => f.type === 'sla.breached' && f.conversationId === conversationId).map((f) => (f as { clock: string }).clock);

/** Every lead has heard both clocks of `conversationId`. */
async function allHeard(leads: TestClient[], conversationId: string): Promise<void> {
  await vi.waitFor(() => {
    for (const l of leads) expect(new Set(breaches(l, conversationId))).toEqual(new Set(CLOCKS));
  }, { timeout: 20_000, interval: 100 });
}

/**
 * Start `conv`'s breaches and then a later sentinel conversation's: once every lead has the
 * sentinel's, many ticks on every node have passed since `conv` breached, so a second copy of any
 * of `conv`'s would have arrived by then — no fixed sleep needed to see that none did.
 */
async function breachOnce(leads: TestClient[], on: AjudaNode): Promise<string> {
  const r = await visitor(on);
  const conv = await startQuestion(r, { question: 'Will anybody answer within the target?' });
  await allHeard(leads, conv.id);
  const sentinel = await startQuestion(r, { question: 'And this one?' });
  await allHeard(leads, sentinel.id);
  for (const l of leads) expect(breaches(l, conv.id).sort()).toEqual([...CLOCKS].sort());
  const store = await env!.store();
  const audit = (await store.auditOf(conv.id)).filter((x) => x.action === 'sla.breached');
  expect(audit).toHaveLength(CLOCKS.length);
  r.close();
  return conv.id;
}

describe('cluster SLA', () => {
  it('R10: a breach fires once cluster-wide — every lead on every node gets sla.breached once per clock — and still once after the leader is SIGKILLed', async () => {
    const nodes = env!.nodes;
    // Léa (the lead) logs in once and has a socket on every node.
    const token = await login(nodes[0]!, 'lea@ajuda.local');
    const leads = new Map<AjudaNode, TestClient>();
    for (const n of nodes) leads.set(n, await agentSocket(n, token));
    for (const l of leads.values()) await l.request({ type: 'inbox.get' }, 'inbox');

    const first = await breachOnce([...leads.values()], nodes[1]!);

    // Kill the leader (found in the logs; if none says so, kill every node but one, in turn).
    const leader = await vi.waitFor(() => {
      const l = leaderFromLogs(nodes);
      if (!l) throw new Error('no node logged `cluster: leader`');
      return l;
    }, { timeout: 10_000, interval: 100 }).catch(() => null);
    const victims = leader ? [leader] : nodes.slice(0, -1);
    for (const victim of victims) {
      await victim.kill('SIGKILL');
      leads.get(victim)!.close();
      leads.delete(victim);
      const survivors = nodes.filter((n) => !n.exited);
      await breachOnce([...leads.values()], survivors[0]!);
      if (leader) {
        // A survivor took over, and says so.
        await vi.waitFor(() => expect(leaderFromLogs(survivors)).not.toBeNull(), { timeout: 10_000, interval: 100 });
      }
    }
    // The first conversation was not raised again by the new leader.
    for (const l of leads.values()) expect(breaches(l, first).sort()).toEqual([...CLOCKS].sort());
    for (const l of leads.values()) l.close();
  });
});
