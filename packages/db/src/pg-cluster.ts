import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/**
 * A throwaway PostgreSQL cluster for tests and the benchmark: `initdb` into a temp directory (as
 * the `postgres` user when running as root: PostgreSQL refuses root), listening on loopback only
 * at a free port, with a Unix socket in the same directory. Real PostgreSQL from Debian's
 * `postgresql` package — nothing is imitated. A missing binary is an error, never a skip.
 *
 * @example const c = await startCluster(); const url = await c.createDatabase('t1'); … await c.stop();
 */
export interface Cluster {
  port: number;
  dir: string;
  /** A URL for `database` on this cluster (superuser `ajuda`, trust on loopback). */
  url(database: string): string;
  /** CREATE DATABASE (optionally from a template); returns its URL. */
  createDatabase(name: string, template?: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** `pg_ctl stop -m immediate`: a crash, no checkpoint. */
  kill(): Promise<void>;
  /** Start again after kill() (crash recovery runs). */
  restart(): Promise<void>;
  /** Stop and remove the directory. */
  stop(): Promise<void>;
}

const run = promisify(execFile);

/** The directory holding initdb/pg_ctl: AJUDA_PG_BIN, else the newest /usr/lib/postgresql/<v>/bin. */
export function pgBinDir(): string {
  const forced = process.env.AJUDA_PG_BIN;
  if (forced) return forced;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (!versions.length)
    throw new Error('PostgreSQL is not installed: no /usr/lib/postgresql/<version>/bin/initdb (apt-get install -y postgresql, or set AJUDA_PG_BIN)');
  return join(base, versions[0]!, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export interface ClusterOptions {
  /**
   * fsync off: a crash of the server process (`kill()`) loses nothing either way, only an
   * operating-system crash would; tests use it to save the disk. The benchmark keeps fsync on.
   */
  fsync?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string | number>;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const bin = pgBinDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'ajuda-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  if (asRoot) {
    const ids = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (ids.status !== 0) throw new Error('running as root but there is no postgres user (apt-get install -y postgresql creates it)');
    chownSync(dir, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
  }
  chmodSync(dir, 0o700);
  const as = (cmd: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]) : run(join(bin, cmd), args));
  await as('initdb', ['-D', data, '-U', 'ajuda', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port,
    unix_socket_directories: dir,
    fsync: opts.fsync === false ? 'off' : 'on',
    max_connections: 300,
    ...opts.settings,
  };
  const o = Object.entries(settings)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  const start = async () => {
    try {
      await as('pg_ctl', ['-D', data, '-l', log, '-o', o, '-w', '-t', '60', 'start']);
    } catch (e) {
      const tail = existsSync(log) ? readFileSync(log, 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`PostgreSQL did not start: ${(e as Error).message}\n${tail}`);
    }
  };
  await start();
  const url = (database: string) => `postgres://ajuda@127.0.0.1:${port}/${database}`;
  const admin = async <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url('postgres') });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const ident = (name: string) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
    return `"${name}"`;
  };
  let stopped = false;
  return {
    port,
    dir,
    url,
    async createDatabase(name, template) {
      await admin(async (c) => {
        for (let attempt = 0; ; attempt++) {
          try {
            await c.query(`CREATE DATABASE ${ident(name)}${template ? ` TEMPLATE ${ident(template)}` : ''}`);
            return;
          } catch (e) {
            // Another session is still leaving the template: wait for it, briefly.
            if ((e as { code?: string }).code !== '55006' || attempt >= 50) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      });
      return url(name);
    },
    async dropDatabase(name) {
      await admin((c) => c.query(`DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`));
    },
    async kill() {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    restart: start,
    async stop() {
      if (stopped) return;
      stopped = true;
      await as('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** The template every test database is copied from (migrated once per run by the global setup). */
export const TEST_TEMPLATE = 'ajuda_template';

/**
 * A fresh, migrated database on the test cluster the global setup started (its URL base is in
 * AJUDA_TEST_PG, e.g. `postgres://ajuda@127.0.0.1:5433`): a copy of the template, dropped by `drop()`.
 */
export async function testDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.AJUDA_TEST_PG;
  if (!base) throw new Error('AJUDA_TEST_PG is not set: run the PostgreSQL suites with `pnpm test:pg` (its global setup starts the cluster)');
  const name = `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: `${base}/postgres` });
    await c.connect();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          return await c.query(sql);
        } catch (e) {
          if ((e as { code?: string }).code !== '55006' || attempt >= 50) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      await c.end();
    }
  };
  await admin(`CREATE DATABASE "${name}" TEMPLATE "${TEST_TEMPLATE}"`);
  return { url: `${base}/${name}`, drop: async () => void (await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)) };
}
