import type { PipelineRow, ProjectRow, RealmSeed, Repo } from '@ajuda/db';
import type { ContractRecord } from '@ajuda/policy';

/**
 * The realm directory: the server's only door to realm data (R7) — realms, contracts,
 * pipelines, projects. The default reads the SQLite tables that `POST /api/admin/realms` (or the
 * demo seed) fills. A deployment can plug in its platform instead by implementing this interface
 * (for example over a local cache kept fresh from the platform's API): the calls are synchronous
 * because routing decisions are taken inside the write transaction.
 *
 * Every method is scoped by realm id: there is no way to ask for a pipeline "anywhere" (R7a).
 */
export interface RealmDirectory {
  realmName(realmId: string): string | null;
  pipelines(realmId: string): PipelineRow[];
  pipeline(realmId: string, id: string): PipelineRow | undefined;
  pipelineByKey(realmId: string, key: string): PipelineRow | undefined;
  projects(realmId: string): ProjectRow[];
  project(realmId: string, id: string): ProjectRow | undefined;
  /** For agents' eyes only (R3, R5). */
  contracts(): ContractRecord[];
  /** A small adjustment done by support under the customer's grant (R12d). */
  setPipelineStatus(realmId: string, id: string, status: string): void;
  load(realms: RealmSeed[], at: string): void;
}

/** The default directory over the database. */
export class SqliteRealmDirectory implements RealmDirectory {
  constructor(private readonly repo: Repo) {}
  realmName(realmId: string) {
    return this.repo.getRealm(realmId)?.name ?? null;
  }
  pipelines(realmId: string) {
    return this.repo.pipelines(realmId);
  }
  pipeline(realmId: string, id: string) {
    return this.repo.pipeline(realmId, id);
  }
  pipelineByKey(realmId: string, key: string) {
    return this.repo.pipelineByKey(realmId, key);
  }
  projects(realmId: string) {
    return this.repo.projects(realmId);
  }
  project(realmId: string, id: string) {
    return this.repo.project(realmId, id);
  }
  contracts(): ContractRecord[] {
    return this.repo.listContracts();
  }
  setPipelineStatus(realmId: string, id: string, status: string) {
    this.repo.setPipelineStatus(realmId, id, status);
  }
  load(realms: RealmSeed[], at: string) {
    for (const r of realms) this.repo.loadRealm(r, at);
  }
}
