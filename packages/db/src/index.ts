export * from './open.ts';
export * from './writer.ts';
export * from './repo.ts';
export * from './seed.ts';
export * as schema from './schema.ts';
