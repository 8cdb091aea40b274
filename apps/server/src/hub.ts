/**
 * In-process fan-out. Topics:
 *  - `owner:<ownerKey>`   every socket of one requester (all their tabs)
 *  - `conv:<id>`          agent sockets that opened the conversation
 *  - `agent:<id>`         every socket of one agent (logout closes them)
 *  - `agents`             every agent socket (inbox updates are filtered per agent)
 * Payloads are pre-serialised JSON strings: serialised once, sent to many.
 * Behind this small interface a Redis pub/sub hub can carry hints between processes.
 */
export interface Subscriber {
  readonly id: number;
  sendRaw(json: string): void;
}

export interface Hub<S extends Subscriber = Subscriber> {
  subscribe(topic: string, s: S): void;
  unsubscribe(topic: string, s: S): void;
  publish(topic: string, json: string, except?: S): void;
  members(topic: string): Iterable<S>;
  count(topic: string): number;
}

export class MemoryHub<S extends Subscriber> implements Hub<S> {
  private readonly topics = new Map<string, Set<S>>();

  subscribe(topic: string, s: S): void {
    let set = this.topics.get(topic);
    if (!set) this.topics.set(topic, (set = new Set()));
    set.add(s);
  }
  unsubscribe(topic: string, s: S): void {
    const set = this.topics.get(topic);
    if (!set) return;
    set.delete(s);
    if (!set.size) this.topics.delete(topic);
  }
  publish(topic: string, json: string, except?: S): void {
    const set = this.topics.get(topic);
    if (!set) return;
    for (const s of set) if (s !== except) s.sendRaw(json);
  }
  members(topic: string): Iterable<S> {
    return this.topics.get(topic) ?? [];
  }
  count(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }
}
