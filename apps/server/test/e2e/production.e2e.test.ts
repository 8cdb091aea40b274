// Ajuda as an operator runs it, end to end in Chromium at 1366×768: the real server as a child
// process with AJUDA_ENV=production, random secrets, an empty SQLite database, the metrics listener
// on its own loopback port and webhooks allowed to loopback. The first admin is bootstrapped with
// the command line (password on stdin); in the console that admin invites an agent (who sets a
// password in a browser of their own), creates an API token and a webhook endpoint, reading each
// shown-once secret from the screen. A realm is synced through the administration API; a platform
// user on a host page of another loopback origin (identity token signed with the configured key)
// asks a question in the widget, the new agent answers in the console and the answer arrives in
// the widget. The receiver verifies every delivery with the standardwebhooks package; the API token
// reads the conversation; the metrics endpoint is scraped and parsed. Every control is visible in
// its scroll container and topmost at its centre before it is used (test/e2e/person.ts).
// Screenshots in test-output/production/.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeReport, axeSerious } from '../../../../test/e2e/axe.ts';
import { reachAndClick, reachAndType } from '../../../../test/e2e/person.ts';
import { launchBrowser, outputDir, widgetLocator } from '../../../console/test/e2e/browser.ts';
import { freePort } from '../reliability/harness.ts';
import { parseExposition } from '../observability-metrics.ts';

const repo = join(import.meta.dirname, '../../../..');
const out = outputDir('production');
const dir = mkdtempSync(join(tmpdir(), 'ajuda-production-'));
const secret = (n = 48) => randomBytes(n).toString('base64url');
const IDENTITY = { kid: 'prod-1', secret: secret() };
const ADMIN = { email: 'olga@ops.example', name: 'Olga Ops', password: secret(18) };
const AGENT = { email: 'nuno@ops.example', name: 'Nuno Agent', password: secret(18) };
const VIEWPORT = { width: 1366, height: 768 };

let env: Record<string, string>;
let url: string;
let metricsUrl: string;
let hostUrl: string;
let server: ChildProcess | null = null;
const serverLog: string[] = [];
let host: Server;
let receiver: Server;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let browser: Browser;
const contexts: BrowserContext[] = [];

const listen = (s: Server, port: number) => new Promise<void>((res, rej) => s.once('error', rej).listen(port, '127.0.0.1', () => res()));

function run(args: string[], stdin: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repo, 'node_modules/.bin/tsx'), ['apps/server/src/cli.ts', ...args], { cwd: repo, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

async function signIdentity(): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ realm: 'acme', name: 'Paula Platform', email: 'paula@acme.example', locale: 'en', perms: [] })
    .setProtectedHeader({ alg: 'HS256', kid: IDENTITY.kid, typ: 'JWT' })
    .setSubject('u_paula')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 600)
    .sign(new TextEncoder().encode(IDENTITY.secret));
}

beforeAll(async () => {
  const [port, metricsPort, hostPort, receiverPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  url = `http://127.0.0.1:${port}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  hostUrl = `http://127.0.0.1:${hostPort}`;

  // The platform's page and its backend: the widget snippet, and identity tokens signed with the shared key.
  host = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/identity-token') {
      void signIdentity().then((token) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token })));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme platform</title></head>
<body><main><h1>Acme platform</h1><p>Signed in as Paula Platform.</p></main>
<script>
window.Ajuda = window.Ajuda || function () { (Ajuda.q = Ajuda.q || []).push(arguments); };
Ajuda('boot', { channel: 'platform', locale: 'en', getIdentityToken: function () {
  return fetch('/identity-token', { method: 'POST' }).then(function (r) { return r.json(); }).then(function (j) { return j.token; });
} });
</script>
<script async src="${url}/widget/loader.js"></script>
</body></html>`);
  });
  await listen(host, hostPort);

  // The webhook receiver: keeps every delivery, answers 204.
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await listen(receiver, receiverPort);

  env = {
    AJUDA_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    AJUDA_PUBLIC_URL: url,
    AJUDA_DB_FILE: join(dir, 'ajuda.db'),
    AJUDA_IDENTITY_KEYS: `${IDENTITY.kid}:${IDENTITY.secret}`,
    AJUDA_INBOUND_SECRET: secret(),
    AJUDA_ADMIN_TOKEN: secret(),
    AJUDA_ORIGINS_PLATFORM: hostUrl,
    AJUDA_METRICS_ADDR: `127.0.0.1:${metricsPort}`,
    AJUDA_WEBHOOK_ALLOW_PRIVATE: 'on',
    LOG_LEVEL: 'warn',
  };
  (globalThis as { receiverUrl?: string }).receiverUrl = `http://127.0.0.1:${receiverPort}/hooks/ajuda`;

  // The first administrator, made before the server ever runs: the password on stdin.
  const made = await run(['admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name, '--languages', 'en'], `${ADMIN.password}\n`);
  expect(made.code, made.stderr).toBe(0);

  server = spawn(join(repo, 'node_modules/.bin/tsx'), ['apps/server/src/server.ts'], { cwd: repo, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout!.on('data', (d: Buffer) => serverLog.push(d.toString()));
  server.stderr!.on('data', (d: Buffer) => serverLog.push(d.toString()));
  let exited = false;
  server.once('exit', () => (exited = true));
  for (let i = 0; ; i++) {
    if (exited || i > 600) throw new Error(`the server did not start:\n${serverLog.join('').slice(-3000)}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  if (server && server.exitCode === null) {
    const gone = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await gone;
  }
  await new Promise((r) => host?.close(r));
  await new Promise((r) => receiver?.close(r));
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

async function newPage(): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ locale: 'en-US', viewport: VIEWPORT });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, errors };
}

async function signIn(p: Page, email: string, password: string): Promise<void> {
  await p.goto(`${url}/console/`);
  await reachAndType(p.getByLabel('Email'), email);
  await reachAndType(p.getByLabel('Password'), password);
  await reachAndClick(p.getByRole('button', { name: 'Sign in' }));
  await p.locator('.conn--ready').waitFor();
  await p.getByRole('heading', { name: 'Inbox' }).waitFor();
}

async function axeClean(p: Page, screen: string, found: string[]): Promise<void> {
  const f = await axeSerious(p);
  if (f.length) found.push(axeReport(screen, f));
}

const tab = (p: Page, name: string) => p.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name });
const scrape = async () => parseExposition(await (await fetch(metricsUrl)).text());

describe('production mode, end to end', () => {
  it('bootstrap → console admin: agent, API token, webhook → realm sync → widget question answered in the console → signed webhooks verified → metrics moved', async () => {
    const found: string[] = [];
    const before = await scrape();
    const messagesBefore = before.sum('ajuda_messages_created_total');

    // ── The admin signs in and invites an agent, who sets a password in a browser of their own.
    const { page: admin, errors: adminErrors } = await newPage();
    await signIn(admin, ADMIN.email, ADMIN.password);
    await reachAndClick(admin.getByRole('link', { name: 'Admin', exact: true }));
    await admin.getByRole('heading', { name: 'Administration' }).waitFor();
    await reachAndClick(admin.getByText('Add an agent', { exact: true }));
    const addAgent = admin.getByRole('form', { name: 'Add an agent' });
    await reachAndType(addAgent.getByLabel('Email'), AGENT.email);
    await reachAndType(addAgent.getByLabel('Name'), AGENT.name);
    const english = addAgent.getByLabel('English');
    if (!(await english.isChecked())) await reachAndClick(english);
    await reachAndClick(addAgent.getByRole('button', { name: 'Add' }));
    const link = await admin.getByRole('textbox', { name: 'Set-password link' }).inputValue();
    expect(link.startsWith(`${url}/console/#/set-password/`)).toBe(true);
    await admin.screenshot({ path: `${out}01-agent-invited.png` });

    const { page: agent, errors: agentErrors } = await newPage();
    await agent.goto(link);
    await reachAndType(agent.getByLabel('New password'), AGENT.password);
    await reachAndType(agent.getByLabel('The same password again'), AGENT.password);
    await reachAndClick(agent.getByRole('button', { name: 'Save password' }));
    await agent.getByText('Your password is set.').waitFor();
    await reachAndClick(agent.getByRole('button', { name: 'Go to sign in' }));
    await signIn(agent, AGENT.email, AGENT.password);

    // ── An API token acting for the system, read from the screen once.
    await reachAndClick(tab(admin, 'API tokens'));
    const addToken = admin.getByRole('form', { name: 'Create a token' });
    await reachAndType(addToken.getByLabel('Name'), 'Ops dashboard');
    await reachAndClick(addToken.getByLabel('Administration (tokens, agents, webhooks)'));
    await reachAndClick(addToken.getByRole('button', { name: 'Create token' }));
    const token = await admin.getByRole('textbox', { name: 'Token' }).inputValue();
    expect(token).toMatch(/^ajt_[A-Za-z0-9_-]{43}$/);
    await admin.getByRole('list', { name: 'API tokens' }).getByText('Ops dashboard').waitFor();
    await axeClean(admin, 'API tokens with a new token', found);
    await admin.screenshot({ path: `${out}02-token-shown-once.png` });
    await reachAndClick(admin.getByRole('button', { name: 'Dismiss' }));
    expect(await admin.getByText(token).count()).toBe(0);
    const tokens = await fetch(`${url}/api/v1/tokens`, { headers: { authorization: `Bearer ${token}` } });
    expect(tokens.status).toBe(200);
    expect(JSON.stringify(await tokens.json())).not.toContain(token);

    // ── The realm directory synced one realm at a time (the operator's token, as a sync job would).
    const realm = await fetch(`${url}/api/admin/realms/acme`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${env.AJUDA_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Acme Corp', contract: { emailDomains: ['acme.example'], active: true }, projects: [], pipelines: [] }),
    });
    expect(realm.status, await realm.clone().text()).toBeLessThan(300);
    await reachAndClick(tab(admin, 'Realm directory'));
    await admin.getByText('Acme Corp').waitFor();

    // ── A webhook endpoint on loopback; its signing secret read from the screen once.
    const receiverUrl = (globalThis as { receiverUrl?: string }).receiverUrl!;
    await reachAndClick(tab(admin, 'Webhooks'));
    const addHook = admin.getByRole('form', { name: 'Add an endpoint' });
    await reachAndType(addHook.getByLabel('URL'), receiverUrl);
    await reachAndType(addHook.getByLabel('Description (optional)'), 'Ops receiver');
    await reachAndClick(addHook.getByRole('button', { name: 'Add' }));
    const whsec = await admin.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    expect(whsec).toMatch(/^whsec_/);
    await admin.getByRole('list', { name: 'Webhook endpoints' }).getByText(receiverUrl).waitFor();
    await axeClean(admin, 'webhooks with a new secret', found);
    await admin.screenshot({ path: `${out}03-webhook-secret-shown-once.png` });
    await reachAndClick(admin.getByRole('button', { name: 'Dismiss' }));

    // ── The platform user asks in the widget on the host page.
    const { page: user, errors: userErrors } = await newPage();
    await user.goto(hostUrl);
    await reachAndClick(user.getByRole('button', { name: /^Help\b/ }));
    const frame = widgetLocator(user);
    await frame.getByRole('heading', { name: /Paula Platform/ }).waitFor();
    await reachAndClick(frame.getByRole('button', { name: /General question/ }));
    await reachAndType(frame.getByLabel('Your question'), 'How do I export last month’s runs?');
    await reachAndClick(frame.getByRole('button', { name: 'Send to support' }));
    const conversationId = (await frame.locator('.conv-id code').textContent())!.trim();
    await user.screenshot({ path: `${out}04-widget-question.png` });

    // ── The new agent answers in the console; the answer arrives in the widget.
    const row = agent.locator(`li[data-conversation-id="${conversationId}"]`);
    await row.waitFor();
    await reachAndClick(row.getByRole('button'));
    await agent.locator('section.intake').waitFor();
    const REPLY = 'Hi Paula: Runs → Export, then pick last month.';
    await reachAndType(agent.getByPlaceholder('Write a reply to the requester'), REPLY);
    await agent.keyboard.press('Enter');
    await agent.locator('.msg--agent:not(.msg--pending)', { hasText: 'Runs → Export' }).waitFor();
    await agent.screenshot({ path: `${out}05-agent-answered.png` });
    await frame.locator('.msg-list .bubble', { hasText: 'Runs → Export' }).waitFor();
    await user.screenshot({ path: `${out}06-widget-answer.png` });

    // ── The receiver got the events, each verified with the secret shown once.
    await expect.poll(() => received.map((r) => (JSON.parse(r.body) as { type: string }).type), { timeout: 20_000 }).toEqual(expect.arrayContaining(['conversation.started', 'message.created']));
    const hook = new Webhook(whsec);
    const events = received.map((r) => hook.verify(r.body, r.headers as Record<string, string>) as { type: string; data: Record<string, unknown> });
    expect(events.some((e) => e.type === 'message.created' && JSON.stringify(e.data).includes('Runs → Export'))).toBe(true);
    expect(() => new Webhook(`whsec_${randomBytes(24).toString('base64')}`).verify(received[0]!.body, received[0]!.headers as Record<string, string>)).toThrow();

    // The delivery log in the console, and a replay that arrives again under the same webhook-id.
    await reachAndClick(admin.getByRole('button', { name: `Deliveries: ${receiverUrl}` }));
    const log = admin.getByRole('list', { name: `Deliveries to ${receiverUrl}` });
    await log.getByText('message.created').first().waitFor();
    await expect.poll(async () => log.getByText('Delivered', { exact: true }).count()).toBeGreaterThan(0);
    await axeClean(admin, 'webhook delivery log', found);
    await admin.screenshot({ path: `${out}07-delivery-log.png` });
    const first = log.getByRole('listitem').filter({ hasText: 'Delivered' }).last();
    const replayId = (await first.locator('dd code').textContent())!.trim();
    const count = received.filter((r) => r.headers['webhook-id'] === replayId).length;
    await reachAndClick(first.getByRole('button', { name: /^Replay/ }));
    await admin.getByText('Queued to be delivered again.').waitFor();
    await expect.poll(() => received.filter((r) => r.headers['webhook-id'] === replayId).length, { timeout: 20_000 }).toBe(count + 1);

    // Rotation: a new secret shown once; deliveries from then on verify with it.
    await reachAndClick(admin.getByRole('button', { name: `Rotate secret: ${receiverUrl}` }));
    const rotated = await admin.getByRole('textbox', { name: 'Signing secret' }).inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(whsec);
    await admin.getByText('Previous secret still valid').waitFor();
    await admin.screenshot({ path: `${out}08-rotated.png` });
    await reachAndClick(admin.getByRole('button', { name: 'Dismiss' }));
    const seen = received.length;
    await reachAndType(agent.getByPlaceholder('Write a reply to the requester'), 'Anything else?');
    await agent.keyboard.press('Enter');
    await expect.poll(() => received.slice(seen).some((r) => r.body.includes('Anything else?')), { timeout: 20_000 }).toBe(true);
    const late = received.slice(seen).find((r) => r.body.includes('Anything else?'))!;
    expect(new Webhook(rotated).verify(late.body, late.headers as Record<string, string>)).toMatchObject({ type: 'message.created' });

    // ── The API token reads the conversation the agent answered; revoked in the console, it stops.
    const conv = await fetch(`${url}/api/v1/conversations/${conversationId}/messages`, { headers: { authorization: `Bearer ${token}` } });
    expect(conv.status).toBe(200);
    expect(JSON.stringify(await conv.json())).toContain('Runs → Export');
    await reachAndClick(tab(admin, 'API tokens'));
    await reachAndClick(admin.getByRole('button', { name: 'Revoke: Ops dashboard' }));
    await admin.getByRole('list', { name: 'API tokens' }).getByText('Revoked', { exact: true }).waitFor();
    expect((await fetch(`${url}/api/v1/conversations`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);

    // ── The metrics listener: the messages counter moved (the question and the answer at least).
    const after = await scrape();
    expect(after.types.get('ajuda_messages_created_total')).toBe('counter');
    expect(after.sum('ajuda_messages_created_total') - messagesBefore).toBeGreaterThanOrEqual(2);
    expect(after.sum('ajuda_messages_created_total', { from: 'agent' })).toBeGreaterThanOrEqual(1);
    expect((await fetch(`${url}/metrics`)).status).toBe(404);

    expect(found, found.join('\n')).toEqual([]);
    expect([...adminErrors, ...agentErrors, ...userErrors]).toEqual([]);
  });
});
