import { describe, expect, it } from 'vitest';
import { EventBus, type DomainEvents } from './events.ts';

// The bus's contract for listeners that come later (webhooks, email, metrics): subscribe by event
// name, get the typed payload, in emit order, isolated from each other's failures.
describe('EventBus', () => {
  it('a new listener subscribes by name and gets the typed payload; off() unsubscribes', async () => {
    const bus = new EventBus();
    const got: Array<DomainEvents['grants.changed']> = [];
    const off = bus.on('grants.changed', (e) => {
      got.push(e);
    });
    await bus.emit('grants.changed', { realmId: 'acme' });
    await bus.emit('agent.changed', { agentId: 'ag_1', available: true }); // another name: not delivered
    off();
    await bus.emit('grants.changed', { realmId: 'globex' });
    expect(got).toEqual([{ realmId: 'acme' }]);
    expect(bus.count('grants.changed')).toBe(0);
  });

  it('listeners run at once in subscription order; emit settles after their promises; a failing listener is reported and stops nobody', async () => {
    const errors: string[] = [];
    const bus = new EventBus((err, event) => errors.push(`${event}: ${(err as Error).message}`));
    const order: string[] = [];
    bus.on('sla.breached', () => {
      order.push('fan-out');
    });
    bus.on('sla.breached', () => {
      throw new Error('webhook down');
    });
    bus.on('sla.breached', async () => {
      order.push('metrics started');
      await new Promise((r) => setTimeout(r, 5));
      order.push('metrics done');
    });
    const settled = bus.emit('sla.breached', { conversationId: 'c_1', clock: 'first_response', at: '2026-01-01T00:00:00.000Z' });
    expect(order).toEqual(['fan-out', 'metrics started']); // synchronous part, in order
    await settled;
    expect(order).toEqual(['fan-out', 'metrics started', 'metrics done']);
    expect(errors).toEqual(['sla.breached: webhook down']);
  });
});
