import type { Store } from '@ajuda/db';
import type { Fanout } from '../fanout/fanout.ts';

/** Which agents are online (have at least one socket) — here, or on any process of the cluster (R11). */
export interface Presence {
  online(): Set<string>;
}

/** One process: its own sockets are all there is. */
export class LocalPresence implements Presence {
  constructor(private readonly fanout: Fanout) {}
  online(): Set<string> {
    return this.fanout.onlineAgents();
  }
}

/**
 * Cluster mode: this process's agents, plus every other live node's as PostgreSQL last said
 * (each node writes its own every heartbeat), plus what the bus told since (a node's hint that an
 * agent joined or left there, so routing sees it before the next heartbeat). Redis down costs at
 * most a heartbeat of staleness, never presence itself.
 */
export class ClusterPresence implements Presence {
  /** Other nodes' agents, by node. */
  private remote = new Map<string, Set<string>>();

  constructor(
    private readonly nodeId: string,
    private readonly fanout: Fanout,
    private readonly store: Store,
    private readonly heartbeatMs: number,
  ) {}

  online(): Set<string> {
    const all = this.fanout.onlineAgents();
    for (const set of this.remote.values()) for (const a of set) all.add(a);
    return all;
  }

  /** Write this node's agents and read everyone else's. A node silent for 5 heartbeats is gone. */
  async beat(now: Date): Promise<void> {
    const horizon = new Date(now.getTime() - this.heartbeatMs * 5).toISOString();
    await this.store.heartbeatNode(this.nodeId, [...this.fanout.onlineAgents()], now.toISOString(), new Date(now.getTime() - 3_600_000).toISOString());
    const next = new Map<string, Set<string>>();
    for (const n of await this.store.nodePresence(horizon)) if (n.nodeId !== this.nodeId) next.set(n.nodeId, new Set(n.agentIds));
    this.remote = next;
  }

  /** Another node's hint: an agent's first socket joined there, or its last one left. */
  hint(nodeId: string, agentId: string, online: boolean): void {
    if (nodeId === this.nodeId) return;
    let set = this.remote.get(nodeId);
    if (!set) this.remote.set(nodeId, (set = new Set()));
    if (online) set.add(agentId);
    else set.delete(agentId);
  }

  /** A node said it stopped. */
  gone(nodeId: string): void {
    this.remote.delete(nodeId);
  }
}
