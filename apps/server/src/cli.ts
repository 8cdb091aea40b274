import { existsSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { backupDatabase, createStore, isPostgresUrl, migratePg } from '@ajuda/db';
import { ConfigError, loadConfig } from './config.ts';
import { adminCommand, passwordOnCommandLine } from './admin/bootstrap.ts';
import { importArticles } from './help/import.ts';

const USAGE = `usage: ajuda <command>

commands:
  backup <file>   online backup of the SQLite database (AJUDA_DB_FILE) to <file>, safe while the server
                  runs; the backup is written to <file>.partial, checked, then renamed to <file>.
                  On PostgreSQL (AJUDA_DATABASE_URL) use pg_dump or base backups instead (see docs/operations.md).
  migrate         apply pending migrations to the database and exit (for release pipelines; run the
                  servers with AJUDA_MIGRATE=off). Safe to run while servers run or start.
  admin create --email <email> --name <name> [--languages pt,en,es]
                  create an administrator (the first one of a new production database); the password
                  is read from standard input (asked without echo on a terminal, or piped), never
                  from the command line.
  articles import <folder>
                  import help-centre articles: every *.md file under <folder> (Markdown with YAML front
                  matter: slug, language, title, audience, requestTypes, tags, position, status).
                  Idempotent by slug + language: an unchanged file writes nothing; each change is audited.

Configuration is read from the environment exactly as the server reads it (AJUDA_DB_FILE, AJUDA_DATABASE_URL, …).`;

/** Why `ajuda backup` does not copy a PostgreSQL database, and what to do instead. */
export const PG_BACKUP_ADVICE = `ajuda: AJUDA_DATABASE_URL is set: Ajuda's data is in PostgreSQL, which is backed up with its own tools:
  pg_dump --format=custom --file=ajuda.dump "$AJUDA_DATABASE_URL"   (a consistent logical copy, safe while Ajuda runs)
  pg_basebackup plus WAL archiving                                   (point-in-time recovery)
See docs/operations.md, "Backups".`;

/**
 * The operator's command line. Run from the repository root: `pnpm ajuda backup ./backups/ajuda.db`.
 * Returns the process exit code (0 ok, 1 failure, 2 usage or configuration error).
 *
 * @example await main(['backup', '/var/backups/ajuda.db'])
 */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [command, ...rest] = argv;
  const usable = (command === 'backup' && rest.length === 1 && rest[0]) || (command === 'migrate' && rest.length === 0) || command === 'admin' || (command === 'articles' && rest[0] === 'import' && rest.length === 2);
  if (!usable) {
    console.error(USAGE);
    return 2;
  }
  if (command === 'admin' && passwordOnCommandLine(rest)) return 2;
  let config;
  try {
    config = loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`ajuda: ${e.message}`);
      return 2;
    }
    throw e;
  }
  if (command === 'migrate') return migrate(config.databaseUrl ?? config.dbFile);
  if (command === 'admin') {
    const target = config.databaseUrl ?? config.dbFile;
    return adminCommand(rest, () => createStore(target, { migrate: config.migrate, busyTimeoutMs: config.busyTimeoutMs }), `${config.publicUrl}/console/`);
  }
  if (command === 'articles') return articlesImport(config.databaseUrl ?? config.dbFile, rest[1]!, config);
  if (config.databaseUrl) {
    console.error(PG_BACKUP_ADVICE);
    return 2;
  }
  if (config.dbFile === ':memory:') {
    console.error('ajuda: AJUDA_DB_FILE is :memory:, nothing to back up');
    return 2;
  }
  try {
    const r = await backupDatabase(config.dbFile, rest[0]!);
    if (r.integrity !== 'ok') {
      console.error(`ajuda: backup written to ${r.file} but integrity_check says: ${r.integrity}`);
      return 1;
    }
    console.log(`backup ok: ${r.file} (${r.bytes} bytes, ${r.pages} pages, ${r.conversations} conversations, ${r.messages} messages, ${r.ms} ms) from ${config.dbFile}`);
    return 0;
  } catch (e) {
    console.error(`ajuda: backup failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

async function articlesImport(target: string, folder: string, config: { migrate: boolean; busyTimeoutMs: number }): Promise<number> {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    console.error(`ajuda: ${folder} is not a folder`);
    return 2;
  }
  const store = await createStore(target, { migrate: config.migrate, busyTimeoutMs: config.busyTimeoutMs });
  try {
    const r = await importArticles(store, folder, 'cli', new Date().toISOString());
    for (const e of r.errors) console.error(`ajuda: ${e.file}: ${e.error}`);
    console.log(`articles: ${r.created.length} created, ${r.updated.length} updated, ${r.unchanged.length} unchanged, ${r.errors.length} refused`);
    return r.errors.length ? 1 : 0;
  } catch (e) {
    console.error(`ajuda: import failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await store.close();
  }
}

async function migrate(target: string): Promise<number> {
  const started = Date.now();
  try {
    if (isPostgresUrl(target)) await migratePg(target);
    else await (await createStore(target)).close();
    console.log(`migrate ok: ${isPostgresUrl(target) ? 'PostgreSQL' : target} is at the latest schema (${Date.now() - started} ms)`);
    return 0;
  } catch (e) {
    console.error(`ajuda: migrate failed: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
