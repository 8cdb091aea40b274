import { request } from 'node:http';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../src/testing.ts';

let stack: TestStack;
let cookie: string;
beforeAll(async () => {
  stack = await startTestStack({}, { demo: false });
  const res = await fetch(`${stack.url}/api/agent/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'emma@ajuda.local', password: 'ajuda-demo' }) });
  cookie = res.headers.get('set-cookie')!.split(';')[0]!;
});
afterAll(async () => {
  await stack?.close();
});

/** Try an upgrade; resolves with the HTTP status (101 when it opened) and whether any frame arrived. */
function upgrade(path: string, origin: string | undefined, headers: Record<string, string> = {}): Promise<{ status: number; frames: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${stack.wsUrl.replace(/\/ws$/, '')}${path}`, { ...(origin === undefined ? {} : { origin }), headers });
    let frames = 0;
    ws.on('message', () => frames++);
    ws.once('open', () => {
      setTimeout(() => {
        ws.close();
        resolve({ status: 101, frames });
      }, 50);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, frames });
    });
    ws.once('error', (e) => reject(new Error(`${path} ${origin}: ${e.message}`)));
  });
}

/** A hand-made upgrade request, exactly as a non-browser client could send it. */
function rawUpgrade(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(stack.url);
    const req = request({ host: u.hostname, port: u.port, path, agent: false, headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('cross-site WebSocket hijacking', () => {
  it('R1, R7: upgrades from an origin outside the allow-list, Origin: null, or none get HTTP 403 before any frame', async () => {
    for (const path of ['/ws', '/ws/agent']) {
      for (const origin of ['https://evil.example', 'null', undefined, `${stack.url}.evil.example`, stack.url.replace('127.0.0.1', 'localhost'), 'http://127.0.0.1', stack.url.replace('http:', 'https:')]) {
        // The agent's cookie rides along, as a browser would send it on a cross-site upgrade.
        const r = await upgrade(path, origin, { cookie });
        expect({ path, origin, ...r }).toEqual({ path, origin, status: 403, frames: 0 });
      }
      expect(await rawUpgrade(path, { cookie })).toBe(403);
      expect(await rawUpgrade(path, { cookie, Origin: 'null' })).toBe(403);
    }
    // The console's socket is not open to the host pages' origins.
    expect((await upgrade('/ws/agent', stack.demoUrl, { cookie })).status).toBe(403);
    // Controls: allowed origins open.
    expect((await upgrade('/ws', stack.url)).status).toBe(101);
    expect((await upgrade('/ws', stack.demoUrl)).status).toBe(101);
    expect((await upgrade('/ws/agent', stack.url, { cookie })).status).toBe(101);
  });
});
