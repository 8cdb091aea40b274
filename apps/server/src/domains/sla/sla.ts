import { SlaBreached } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { routingReason } from '../routing/routing.ts';

type Clock = 'first_response' | 'next_response' | 'resolution';

/**
 * R10: clocks run 24 hours a day. Each tick records new breaches as events (audit + routing
 * log) and raises them to the leads, who see every queue.
 */
export async function slaTick(svc: Services): Promise<number> {
  const since = new Date(svc.now().getTime() - 86_400_000).toISOString();
  const found: Array<{ id: string; clock: Clock }> = [];
  for (const c of svc.repo.listOpen(since)) {
    if (c.status === 'resolved' || c.status === 'intake') continue;
    const s = svc.sla(c);
    if (!s) continue;
    const recorded = new Set(JSON.parse(c.breaches) as Clock[]);
    for (const clock of s.breached) if (!recorded.has(clock)) found.push({ id: c.id, clock });
  }
  if (!found.length) return 0;
  const at = svc.iso();
  await svc.writer.write(() => {
    for (const { id, clock } of found) {
      const c = svc.repo.getConversation(id)!;
      const list = new Set(JSON.parse(c.breaches) as Clock[]);
      if (list.has(clock)) continue;
      list.add(clock);
      svc.repo.updateConversation(id, { breaches: JSON.stringify([...list]) });
      svc.repo.audit('system', 'sla.breached', id, c.realmId, { clock, priority: c.priority }, at);
      svc.repo.addRouting({ conversationId: id, at, queue: c.queue, team: c.team, assigneeId: c.assigneeId, ...routingReason('R10.breached_clock', { clock }) });
    }
  });
  for (const { id, clock } of found) {
    const json = JSON.stringify(SlaBreached.parse({ type: 'sla.breached', conversationId: id, clock, at }));
    for (const conn of svc.hub.members('agents')) if (conn.principal?.kind === 'agent' && conn.principal.role === 'lead') conn.sendRaw(json);
    svc.markDirty(id);
  }
  return found.length;
}
