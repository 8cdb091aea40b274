import type { PipelineRow, ProjectRow, RealmSeed, Store } from '@ajuda/db';
import type { ContractRecord } from '@ajuda/policy';

/**
 * The realm directory: the server's only door to realm data (R7) — realms, contracts,
 * pipelines, projects. The default reads the store's tables that `POST /api/admin/realms` (or the
 * demo seed) fills. A deployment can plug in its platform instead by implementing this interface
 * (for example over a local cache kept fresh from the platform's API). Realm data a routing
 * decision needs is read before the command (it does not change with the conversation).
 *
 * Every method is scoped by realm id: there is no way to ask for a pipeline "anywhere" (R7a).
 */
export interface RealmDirectory {
  realmName(realmId: string): Promise<string | null>;
  pipelines(realmId: string): Promise<PipelineRow[]>;
  pipeline(realmId: string, id: string): Promise<PipelineRow | undefined>;
  pipelineByKey(realmId: string, key: string): Promise<PipelineRow | undefined>;
  projects(realmId: string): Promise<ProjectRow[]>;
  project(realmId: string, id: string): Promise<ProjectRow | undefined>;
  /** For agents' eyes only (R3, R5). */
  contracts(): Promise<ContractRecord[]>;
  load(realms: RealmSeed[], at: string): Promise<void>;
  /**
   * A pipeline the server itself changed (R12d: a small adjustment under a grant), after the
   * store committed it: the directory listens to `pipeline.changed` on the event bus through this.
   * A directory that caches realm data updates or drops its copy here (the next read sees the new
   * status); one over the platform's API may forward the change. Optional: one that reads the
   * store each time has nothing to do.
   */
  pipelineChanged?(realmId: string, pipeline: PipelineRow): void | Promise<void>;
}

/** The default directory over the store: it reads the store's tables on every call (no cache), so a change is seen at once. */
export class StoreRealmDirectory implements RealmDirectory {
  constructor(private readonly store: Store) {}
  async realmName(realmId: string) {
    return (await this.store.getRealm(realmId))?.name ?? null;
  }
  pipelines(realmId: string) {
    return this.store.pipelines(realmId);
  }
  pipeline(realmId: string, id: string) {
    return this.store.pipeline(realmId, id);
  }
  pipelineByKey(realmId: string, key: string) {
    return this.store.pipelineByKey(realmId, key);
  }
  projects(realmId: string) {
    return this.store.projects(realmId);
  }
  project(realmId: string, id: string) {
    return this.store.project(realmId, id);
  }
  contracts(): Promise<ContractRecord[]> {
    return this.store.listContracts();
  }
  load(realms: RealmSeed[], at: string) {
    return this.store.loadRealms(realms, at);
  }
}
