import type { Services } from '../../context.ts';
import type { Clock } from '@ajuda/db';

/**
 * R10: clocks run 24 hours a day. Each tick records new breaches as events (audit + routing
 * log) and raises them to the leads, who see every queue.
 */
export async function slaTick(svc: Services): Promise<number> {
  const since = new Date(svc.clock.now().getTime() - 86_400_000).toISOString();
  const found: Array<{ id: string; clock: Clock }> = [];
  for (const c of await svc.store.listOpen(since)) {
    if (c.status === 'resolved' || c.status === 'intake') continue;
    const s = svc.views.sla(c);
    if (!s) continue;
    const recorded = new Set(c.breaches);
    for (const clock of s.breached) if (!recorded.has(clock)) found.push({ id: c.id, clock });
  }
  if (!found.length) return 0;
  const at = svc.clock.iso();
  // Checked again inside the command: each clock is recorded once, however many ticks race.
  const recorded = await svc.store.recordBreaches(found, at);
  for (const { id, clock } of recorded) {
    await svc.events.emit('sla.breached', { conversationId: id, clock, at });
  }
  return recorded.length;
}
