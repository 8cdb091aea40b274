import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLOSE } from '@ajuda/protocol';
import { loadConfig } from '../src/config.ts';
import { startTestStack } from '../src/testing.ts';
import { requester, TestClient } from './client.ts';

const repo = join(import.meta.dirname, '../../..');
const read = (p: string) => readFileSync(join(repo, p), 'utf8');
const sources = (dir: string): string[] =>
  readdirSync(join(repo, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [read(join(dir, e.name))] : []));

/** The close-code table of docs/protocol.md: code → meaning. */
function documentedCloseCodes(): Map<number, string> {
  const doc = read('docs/protocol.md');
  const section = doc.slice(doc.indexOf('## Close codes'), doc.indexOf('## Client → server frames'));
  return new Map([...section.matchAll(/^\| (\d{4}) \| ([^|]+) \|/gm)].map((m) => [Number(m[1]), m[2]!.trim()]));
}

describe('the docs say what the server does', () => {
  it('every close code the server sends is in the protocol document: its own (CLOSE.* in the server) and the WebSocket library\'s', () => {
    const used = new Set<number>();
    for (const src of sources('apps/server/src')) for (const m of src.matchAll(/CLOSE\.(\w+)/g)) used.add(CLOSE[m[1] as keyof typeof CLOSE]);
    // The ws library closes with these before a frame reaches the gateway: framing errors, invalid UTF-8, over maxPayload.
    for (const code of [1002, 1007, 1009]) used.add(code);
    const documented = documentedCloseCodes();
    expect([...used].filter((c) => c === undefined || !documented.has(c)).sort()).toEqual([]);
    expect(documented.get(1007)).toMatch(/UTF-8/);
  });

  it('a text frame that is not UTF-8 closes the socket with 1007, as documented, and the server keeps serving', async () => {
    const stack = await startTestStack({}, { demo: false });
    try {
      const c = await requester(stack);
      c.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
      expect((await c.waitClose()).code).toBe(1007);
      const d = await TestClient.connect(stack.wsUrl, stack.url);
      expect((await d.request({ type: 'session.hello', v: 1, channel: 'website' }, 'session.ready')).type).toBe('session.ready');
      d.close();
    } finally {
      await stack.close();
    }
  });

  it('the busy-timeout default is the same in the code, the README and the operations guide', () => {
    const fallback = loadConfig({ AJUDA_DB_FILE: ':memory:' }).busyTimeoutMs;
    const readme = read('README.md').match(/^\| `AJUDA_BUSY_TIMEOUT_MS` \| `(\d+)` \|/m);
    expect(Number(readme?.[1])).toBe(fallback);
    const ops = read('docs/operations.md').match(/`busy_timeout` is `AJUDA_BUSY_TIMEOUT_MS`, ([\d.]+) s by default/);
    expect(Number(ops?.[1]) * 1000).toBe(fallback);
    expect(read('docs/operations.md')).not.toMatch(/busy_timeout` is \d+ s/);
  });
});
