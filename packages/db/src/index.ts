export * from './open.ts';
export { Checkpointer, type CheckpointStats, type WriteGate } from './checkpoint.ts';
export * from './writer.ts';
export * from './repo.ts';
export * from './seed.ts';
export * as schema from './schema.ts';

import type { Db } from './open.ts';
import { Repo } from './repo.ts';
import { GroupWriter } from './writer.ts';

/**
 * The repository and its group writer, wired together: a rollback drops the repository's
 * cached rows, so nothing uncommitted is ever read back.
 *
 * @example const { repo, writer } = openStore(createDb(':memory:'));
 */
export function openStore(db: Db): { repo: Repo; writer: GroupWriter } {
  const repo = new Repo(db.sqlite);
  const writer = new GroupWriter(db.sqlite, db.durable);
  writer.onRollback = () => repo.forgetCached();
  db.setWriteGate(writer);
  return { repo, writer };
}
