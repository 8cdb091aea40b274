import { parseArgs } from 'node:util';
import { z } from 'zod';
import { LOCALES, type Locale } from '@ajuda/protocol';
import type { Store } from '@ajuda/db';
import { hashPassword, shortId } from '../crypto.ts';
import { readNewPassword } from './passwords.ts';

export const AdminEmail = z.email().max(200);
export const AgentName = z.string().trim().min(1).max(120);

export const ADMIN_USAGE = `usage: ajuda admin create --email <email> --name <name> [--languages pt,en,es]

  Creates an administrator (role admin) who signs in to the console at <AJUDA_PUBLIC_URL>/console/
  and invites the other agents from there. The password is read from standard input: typed twice
  without echo on a terminal, or the first line of what is piped in. It is never taken from the
  command line. At least 12 characters. Refused when an agent with that email exists.`;

/** `--password`, `-p`, `--pass=…`: a password on the command line (visible in `ps` and the shell history). */
const PASSWORD_ARG = /^(-p|--?(password|passwd|pass|pw))(=.*)?$/i;

/** Refuses (with the reason on stderr) a password given on the command line; checked before anything else. */
export function passwordOnCommandLine(args: readonly string[]): boolean {
  if (!args.some((a) => PASSWORD_ARG.test(a))) return false;
  console.error('ajuda: a password is never accepted on the command line (other users see it in the process list, and it stays in the shell history); pipe it on standard input or type it when asked');
  return true;
}

/**
 * `ajuda admin create`: the first administrator of an empty database (or any later one). Returns the
 * exit code: 0 created, 1 refused (the email exists, a bad password), 2 usage.
 */
export async function adminCommand(args: string[], openStore: () => Promise<Store>, consoleUrl: string, input: NodeJS.ReadStream = process.stdin): Promise<number> {
  if (passwordOnCommandLine(args)) return 2;
  const [sub, ...rest] = args;
  let opts: { email?: string; name?: string; languages?: string };
  try {
    opts = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, languages: { type: 'string' } }, strict: true, allowPositionals: false }).values;
  } catch (e) {
    console.error(`ajuda: ${e instanceof Error ? e.message : String(e)}\n${ADMIN_USAGE}`);
    return 2;
  }
  if (sub !== 'create' || !opts.email || !opts.name) {
    console.error(ADMIN_USAGE);
    return 2;
  }
  const email = AdminEmail.safeParse(opts.email.trim().toLowerCase());
  const name = AgentName.safeParse(opts.name);
  const languages = (opts.languages ?? LOCALES.join(',')).split(',').map((l) => l.trim()).filter(Boolean);
  if (!email.success) return fail(`not an email address: ${opts.email}`);
  if (!name.success) return fail('the name must have 1 to 120 characters');
  if (!languages.length || languages.some((l) => !(LOCALES as readonly string[]).includes(l))) return fail(`--languages takes a comma list of ${LOCALES.join(', ')}`);

  let store: Store;
  try {
    store = await openStore();
  } catch (e) {
    return fail(`cannot open the database: ${e instanceof Error ? e.message : String(e)}`);
  }
  try {
    // Asked before the password, so nobody types a password for nothing.
    if (await store.findAgentByEmail(email.data)) return fail(`an agent with the email ${email.data} exists; nothing changed`);
    const pw = await readNewPassword(input);
    if ('error' in pw) return fail(pw.error);
    const id = shortId('ag');
    const at = new Date().toISOString();
    const created = await store.admin.createAgent(
      { id, email: email.data, name: name.data, passwordHash: hashPassword(pw.password), role: 'admin', languages: languages as Locale[], teams: [], available: true, disabled: false },
      at,
      { actor: 'cli', action: 'agent.created', detail: { agentId: id, email: email.data, role: 'admin', via: 'ajuda admin create' } },
    );
    if (!created) return fail(`an agent with the email ${email.data} exists; nothing changed`);
    console.log(`admin created: ${name.data} <${email.data}> (${id}). Sign in at ${consoleUrl} and invite your agents from the Admin area.`);
    return 0;
  } catch (e) {
    return fail(`admin create failed, nothing changed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await store.close();
  }
}

function fail(msg: string): number {
  console.error(`ajuda: ${msg}`);
  return 1;
}
