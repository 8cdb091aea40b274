import { pathToFileURL } from 'node:url';
import { backupDatabase } from '@ajuda/db';
import { ConfigError, loadConfig } from './config.ts';

const USAGE = `usage: ajuda <command>

commands:
  backup <file>   online backup of the database (AJUDA_DB_FILE) to <file>, safe while the server runs;
                  the backup is written to <file>.partial, checked, then renamed to <file>

Configuration is read from the environment exactly as the server reads it (AJUDA_DB_FILE, …).`;

/**
 * The operator's command line. Run from the repository root: `pnpm ajuda backup ./backups/ajuda.db`.
 * Returns the process exit code (0 ok, 1 failure, 2 usage or configuration error).
 *
 * @example await main(['backup', '/var/backups/ajuda.db'])
 */
export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'backup' || rest.length !== 1 || !rest[0]) {
    console.error(USAGE);
    return 2;
  }
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
  if (config.dbFile === ':memory:') {
    console.error('ajuda: AJUDA_DB_FILE is :memory:, nothing to back up');
    return 2;
  }
  try {
    const r = await backupDatabase(config.dbFile, rest[0]);
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
