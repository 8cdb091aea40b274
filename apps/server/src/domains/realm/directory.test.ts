import { afterEach, describe, expect, it } from 'vitest';
import type { PipelineRow, RealmSeed, Store } from '@ajuda/db';
import { unitStack, type UnitStack } from '../../../test/fake-io.ts';
import { start } from '../conversations/handlers.ts';
import { StoreRealmDirectory, type RealmDirectory } from './directory.ts';
import { adjust, createGrant } from './handlers.ts';

/**
 * A directory that keeps each realm's pipelines in memory once read, as one fed from the
 * platform's API would: later reads never reach the store, so only `pipelineChanged` (the
 * `pipeline.changed` event) can tell it about an adjustment.
 */
class CachingDirectory implements RealmDirectory {
  private readonly inner: StoreRealmDirectory;
  private readonly cache = new Map<string, PipelineRow[]>();
  /** How often the pipelines were read from the store. */
  storeReads = 0;

  constructor(store: Store) {
    this.inner = new StoreRealmDirectory(store);
  }
  private async list(realmId: string): Promise<PipelineRow[]> {
    let l = this.cache.get(realmId);
    if (!l) {
      this.storeReads++;
      l = await this.inner.pipelines(realmId);
      this.cache.set(realmId, l);
    }
    return l;
  }
  pipelines(realmId: string) {
    return this.list(realmId);
  }
  async pipeline(realmId: string, id: string) {
    return (await this.list(realmId)).find((p) => p.id === id);
  }
  async pipelineByKey(realmId: string, key: string) {
    return (await this.list(realmId)).find((p) => p.key === key);
  }
  realmName(realmId: string) {
    return this.inner.realmName(realmId);
  }
  projects(realmId: string) {
    return this.inner.projects(realmId);
  }
  project(realmId: string, id: string) {
    return this.inner.project(realmId, id);
  }
  contracts() {
    return this.inner.contracts();
  }
  async load(realms: RealmSeed[], at: string) {
    await this.inner.load(realms, at);
    this.cache.clear();
  }
  pipelineChanged(realmId: string, pipeline: PipelineRow) {
    const l = this.cache.get(realmId);
    if (l) this.cache.set(realmId, l.map((p) => (p.id === pipeline.id ? pipeline : p)));
  }
}

let u: UnitStack | null = null;
afterEach(async () => {
  await u?.close();
  u = null;
});

/** ana (acme, support.grant) opens a conversation and grants write access; joao, an agent, may then adjust. */
async function granted(stack: UnitStack) {
  const ana = stack.realmUser('u_ana', ['support.grant']);
  await start(stack.svc, ana, ana.principal, { type: 'conversation.start', idempotencyKey: 'directory-1', requestType: 'general_question', answers: { question: 'Pause the CRM sync?' } }, () => 0);
  const id = ana.last('conversation.started').conversation.id;
  await createGrant(stack.svc, ana, ana.principal, { type: 'grant.create', level: 'write', minutes: 30 });
  const joao = stack.agent('ag_joao');
  const act = async (action: 'pause' | 'resume') => {
    await adjust(stack.svc, joao, joao.principal, { type: 'realm.adjust', ref: action, conversationId: id, pipelineId: 'pl_crm', action });
    return joao.last('realm.snapshot').pipelines.find((p) => p.id === 'pl_crm')?.status;
  };
  return act;
}

describe('realm directory: pipeline changes (R12d)', () => {
  it('a caching directory hears of an adjustment on the event bus: the next read through it sees the new status, without going back to the store', async () => {
    let dir!: CachingDirectory;
    u = await unitStack({ directory: (store) => (dir = new CachingDirectory(store)) });
    expect((await u.svc.directory.pipeline('acme', 'pl_crm'))?.status).toBe('running'); // cached from here on
    const act = await granted(u);

    expect(await act('pause')).toBe('paused'); // the agent's snapshot, read through the directory
    expect((await u.svc.directory.pipeline('acme', 'pl_crm'))?.status).toBe('paused');
    expect((await u.svc.directory.pipelineByKey('acme', 'CRM-CNT-03'))?.status).toBe('paused');
    expect((await u.svc.directory.pipelines('acme')).find((p) => p.id === 'pl_crm')?.status).toBe('paused');
    expect((await u.svc.store.pipeline('acme', 'pl_crm'))?.status).toBe('paused'); // what was committed

    expect(await act('resume')).toBe('running');
    expect((await u.svc.directory.pipeline('acme', 'pl_crm'))?.status).toBe('running');
    // Every read after the first came from the cache, kept fresh by the event alone.
    expect(dir.storeReads).toBe(1);
  });

  it('the default directory (the store) sees the adjustment too', async () => {
    u = await unitStack();
    const act = await granted(u);
    expect(await act('pause')).toBe('paused');
    expect((await u.svc.directory.pipeline('acme', 'pl_crm'))?.status).toBe('paused');
  });
});
