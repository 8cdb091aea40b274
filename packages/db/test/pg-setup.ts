import { migratePg } from '../src/pg-store.ts';
import { startCluster, TEST_TEMPLATE, type Cluster } from '../src/pg-cluster.ts';

/**
 * Global setup of `pnpm test:pg`: one throwaway PostgreSQL cluster for the run (real PostgreSQL
 * from Debian's package, loopback only, a free port), a template database migrated once, and
 * AJUDA_TEST_PG for the workers (each test store or stack copies the template into a database of
 * its own). The cluster is stopped and its directory removed at the end.
 */
let cluster: Cluster | null = null;

export async function setup(): Promise<void> {
  cluster = await startCluster({ fsync: false });
  await migratePg(await cluster.createDatabase(TEST_TEMPLATE));
  process.env.AJUDA_TEST_PG = cluster.url('').replace(/\/$/, '');
  process.env.AJUDA_TEST_PG_DIR = cluster.dir;
}

export async function teardown(): Promise<void> {
  await cluster?.stop();
}
