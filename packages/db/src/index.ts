export * from './open.ts';
export { Checkpointer, type CheckpointStats, type WriteGate } from './checkpoint.ts';
export * from './writer.ts';
export * from './repo.ts';
export * from './seed.ts';
export * from './store.ts';
export { SqliteStore, openStore } from './sqlite-store.ts';
export { createStore, openTestStore, type TestStore } from './test-store.ts';
export * as schema from './schema.ts';
