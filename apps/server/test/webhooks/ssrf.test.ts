import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook } from '../../src/webhooks/deliver.ts';
import { checkWebhookUrl, refusal, type Resolve } from '../../src/webhooks/ssrf.ts';
import { receiver, type Receiver } from './receiver.ts';

let rx: Receiver;
let other: Receiver;
beforeAll(async () => {
  rx = await receiver(204);
  other = await receiver(204);
});
afterAll(async () => {
  await rx?.close();
  await other?.close();
});

const post = (url: string, allowPrivate = false, resolve?: Resolve, timeoutMs = 5000) => postWebhook(url, { 'webhook-id': 'msg_1' }, '{}', { timeoutMs, allowPrivate, ...(resolve ? { resolve } : {}) });
/** A resolver that answers one address for every name (a DNS server that lies, or rebinds). */
const resolvesTo = (address: string): Resolve => async () => [{ address, family: address.includes(':') ? 6 : 4 }];

describe('webhook targets (SSRF)', () => {
  it('refuses loopback, link-local, private, unique-local and other non-public addresses; public unicast passes', () => {
    for (const a of ['127.0.0.1', '127.8.9.10', '169.254.169.254', '10.0.0.1', '172.16.5.4', '192.168.1.1', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fc00::1', 'fd12::3', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '64:ff9b::a00:1', '2002:a00:1::', '::', '224.0.0.1'])
      expect(refusal(a, false), a).not.toBeNull();
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8']) expect(refusal(a, false), a).toBeNull();
    // AJUDA_WEBHOOK_ALLOW_PRIVATE=on: private and loopback allowed; unspecified and multicast never.
    for (const a of ['127.0.0.1', '10.0.0.1', '169.254.169.254', '::1', 'fc00::1']) expect(refusal(a, true), a).toBeNull();
    for (const a of ['0.0.0.0', '::', '224.0.0.1']) expect(refusal(a, true), a).not.toBeNull();
  });

  it('refuses such a URL when it is saved: an address literal, a name resolving to one, another scheme, credentials', async () => {
    const fails: Resolve = async () => {
      throw Object.assign(new Error('no such name'), { code: 'ENOTFOUND' });
    };
    expect(await checkWebhookUrl('http://127.0.0.1:8080/x', false)).toMatch(/loopback/);
    expect(await checkWebhookUrl('http://[::1]/x', false)).toMatch(/loopback/);
    expect(await checkWebhookUrl('http://169.254.169.254/latest/meta-data', false)).toMatch(/linkLocal/);
    expect(await checkWebhookUrl('http://10.1.2.3/x', false)).toMatch(/private/);
    expect(await checkWebhookUrl('http://localhost:9/x', false)).toMatch(/localhost resolves to a refused address/);
    expect(await checkWebhookUrl('https://hooks.example.com/x', false, resolvesTo('192.168.0.7'))).toMatch(/private/);
    expect(await checkWebhookUrl('https://hooks.example.com/x', false, resolvesTo('93.184.216.34'))).toBeNull();
    // A name that does not resolve now is accepted: every connection checks again.
    expect(await checkWebhookUrl('https://later.example.com/x', false, fails)).toBeNull();
    expect(await checkWebhookUrl('ftp://93.184.216.34/x', false)).toMatch(/http/);
    expect(await checkWebhookUrl('https://user:pw@hooks.example.com/x', false, resolvesTo('93.184.216.34'))).toMatch(/credentials/);
    expect(await checkWebhookUrl('http://127.0.0.1:8080/x', true)).toBeNull();
  });

  it('refuses to connect to 127.0.0.1, ::1, 169.254.169.254, 10.x and a name resolving to loopback — checked on the resolved address at connect time', async () => {
    const before = rx.got.length;
    for (const url of [`http://127.0.0.1:${rx.port}/hook`, `http://[::1]:${rx.port}/hook`, `http://localhost:${rx.port}/hook`, 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/hook', `http://[::ffff:127.0.0.1]:${rx.port}/hook`]) {
      const r = await post(url);
      expect(r.status, url).toBeNull();
      expect(r.error, url).toMatch(/refused to connect/);
    }
    // DNS rebinding: the name passed when it was saved (a public address), it resolves to loopback now.
    expect(await checkWebhookUrl(`http://rebind.test:${rx.port}/hook`, false, resolvesTo('93.184.216.34'))).toBeNull();
    const rebound = await post(`http://rebind.test:${rx.port}/hook`, false, resolvesTo('127.0.0.1'));
    expect(rebound.error).toMatch(/refused to connect to rebind\.test: 127\.0\.0\.1 is a loopback address/);
    expect(rx.got.length).toBe(before);
    // The same request with private targets allowed reaches the receiver through that very resolver.
    expect(await post(`http://rebind.test:${rx.port}/hook`, true, resolvesTo('127.0.0.1'))).toEqual({ status: 204, error: null });
    expect(rx.got.length).toBe(before + 1);
  });

  it('follows no redirect, and gives up on a receiver that does not answer in time', async () => {
    rx.status = 307;
    rx.headers = { location: other.url };
    try {
      const r = await post(rx.url, true);
      expect(r).toEqual({ status: 307, error: 'HTTP 307: redirects are not followed' });
      expect(other.got).toHaveLength(0);
    } finally {
      rx.status = 204;
      rx.headers = {};
    }
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const r = await post(`http://127.0.0.1:${(silent.address() as { port: number }).port}/`, true, undefined, 200);
      expect(r.status).toBeNull();
      expect(r.error).toMatch(/no answer within 200 ms/);
    } finally {
      silent.close();
    }
  });
});
