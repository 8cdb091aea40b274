import type { Readable, Writable } from 'node:stream';

/** The shortest password Ajuda accepts for an agent (bootstrap, set-password links, an admin setting one). */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/** Why a password is refused, or null when it is acceptable. */
export function passwordProblem(pw: string): string | null {
  const n = [...pw].length;
  if (n < MIN_PASSWORD_LENGTH) return `the password must have at least ${MIN_PASSWORD_LENGTH} characters`;
  if (n > MAX_PASSWORD_LENGTH) return `the password must have at most ${MAX_PASSWORD_LENGTH} characters`;
  if (pw.trim() !== pw) return 'the password may not start or end with spaces';
  if (/[\u0000-\u001f\u007f]/.test(pw)) return 'the password may not contain control characters';
  return null;
}

/** Everything piped on `input`, as one string (the password is its first line). */
async function readPiped(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of input) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Ask for a line on a terminal without echoing it (raw mode: each key is read, nothing printed).
 * Enter ends it, Backspace takes a character back, Ctrl-C or Ctrl-D gives up (null).
 */
function promptHidden(input: NodeJS.ReadStream, output: Writable, question: string): Promise<string | null> {
  return new Promise((resolve) => {
    output.write(question);
    let value = '';
    const done = (v: string | null) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      resolve(v);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(value);
        if (ch === '\u0003' || ch === '\u0004') return done(null);
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

/**
 * The new password, from standard input: on a terminal, asked twice without echo; piped, the first
 * line of what was piped (`printf '%s\n' "$PW" | pnpm ajuda admin create …`). Never from the
 * command line, where other users of the machine and the shell history would see it.
 */
export async function readNewPassword(input: NodeJS.ReadStream = process.stdin, output: Writable = process.stderr): Promise<{ password: string } | { error: string }> {
  if (input.isTTY) {
    const a = await promptHidden(input, output, 'New password (not shown): ');
    if (a === null) return { error: 'cancelled' };
    const problem = passwordProblem(a);
    if (problem) return { error: problem };
    const b = await promptHidden(input, output, 'The same password again: ');
    if (b === null) return { error: 'cancelled' };
    if (a !== b) return { error: 'the two passwords differ' };
    return { password: a };
  }
  const text = await readPiped(input);
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) return { error: 'no password on standard input (pipe it, or run on a terminal to be asked)' };
  const problem = passwordProblem(line);
  return problem ? { error: problem } : { password: line };
}
