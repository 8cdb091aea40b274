import type { SlaTier, Store } from '@ajuda/db';
import { DEFAULT_SLA, slaPolicyFor, type SlaPolicy } from '@ajuda/policy';
import type { Priority } from '@ajuda/protocol';

export const DEFAULT_TIER = 'default';
const PRIORITIES: Priority[] = ['P1', 'P2', 'P3', 'P4'];

/**
 * R10: the customer's agreement decides the SLA targets. A realm's contract names its tier; each
 * tier's targets are a row of `sla_tiers`. The `default` tier (realms without a contract or naming
 * no known tier, and visitors) is DEFAULT_SLA, then what an administrator stored for `default`, then
 * AJUDA_SLA on top for the priorities it names (the operator's override wins).
 *
 * Decisions read a copy held here (the SLA clock runs on every inbox row): it is read at start,
 * again after each change made through this process, and every `refreshMs` so a change made through
 * another process of a cluster is seen within that time.
 */
export class SlaTiers {
  private tiers = new Map<string, SlaPolicy>();
  private realmTier = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    /** The configured default (DEFAULT_SLA with AJUDA_SLA applied): a priority whose object is not DEFAULT_SLA's own was named by AJUDA_SLA. */
    private readonly configured: SlaPolicy,
  ) {}

  async start(refreshMs = 10_000): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), refreshMs);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const [rows, realms] = await Promise.all([this.store.admin.listSlaTiers(), this.store.admin.contractTiers()]);
    this.tiers = new Map(rows.map((t) => [t.id, t.targets]));
    this.realmTier = realms;
  }

  /** The priorities AJUDA_SLA overrides in the default tier. */
  overridden(): Priority[] {
    return PRIORITIES.filter((p) => this.configured[p] !== DEFAULT_SLA[p]);
  }

  /** The default tier as it applies: built-in, then the stored `default` row, then AJUDA_SLA. */
  defaultPolicy(): SlaPolicy {
    const stored = this.tiers.get(DEFAULT_TIER);
    const out = { ...DEFAULT_SLA, ...(stored ?? {}) };
    for (const p of this.overridden()) out[p] = this.configured[p];
    return out;
  }

  /** The tier a realm's contract names (`default` without one). */
  tierOf(realmId: string | null): string {
    return (realmId && this.realmTier.get(realmId)) || DEFAULT_TIER;
  }

  /** R10: the targets for a conversation of this realm (null: a visitor's). */
  policyFor(realmId: string | null): SlaPolicy {
    return slaPolicyFor(this.tierOf(realmId), this.tiers, this.defaultPolicy(), DEFAULT_TIER);
  }

  /** Every tier with the targets that apply (the default one first). */
  list(stored: SlaTier[]): Array<SlaTier & { overridden: Priority[]; builtIn: boolean }> {
    const def = stored.find((t) => t.id === DEFAULT_TIER);
    const out = [{ id: DEFAULT_TIER, name: def?.name ?? 'Default', targets: this.defaultPolicy(), updatedAt: def?.updatedAt ?? '', overridden: this.overridden(), builtIn: true }];
    for (const t of stored) if (t.id !== DEFAULT_TIER) out.push({ ...t, overridden: [], builtIn: false });
    return out;
  }
}
