import type { DemoUser } from './users.ts';
import { DEMO_USERS } from './users.ts';

// The demo's host pages. Plain HTML with external scripts only (no inline script or style): each page
// embeds the widget the way a customer does — the snippet file, then <ajuda-origin>/widget/loader.js async.

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** HTML-escapes text and attribute values. */
export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESC[c]!);

interface Layout {
  title: string;
  lang: string;
  bodyClass: string;
  body: string;
  /** Same-origin scripts, in order: the Ajuda snippet first, then page behaviour. */
  scripts: string[];
  ajudaOrigin: string;
}

function layout(p: Layout): string {
  return `<!doctype html>
<html lang="${esc(p.lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(p.title)}</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/demo.css">
</head>
<body class="${p.bodyClass}">
${p.body}
${p.scripts.map((s) => `<script src="/assets/${s}"></script>`).join('\n')}
<script async src="${esc(p.ajudaOrigin)}/widget/loader.js"></script>
</body>
</html>
`;
}

const PIPELINES = [
  { name: 'Orders sync', key: 'ORD-SYNC-01', env: 'Prod', note: '' },
  { name: 'Invoice export', key: 'INV-EXP-02', env: 'Prod', note: '' },
  { name: 'CRM contacts', key: 'CRM-CNT-03', env: 'Test', note: '' },
  { name: 'Legacy migration', key: 'MIG-LEG-04', env: 'Test', note: 'Project phase — ERP migration' },
];

export function startPage(ajudaOrigin: string): string {
  const agents = [
    ['joao@ajuda.local', 'Agent', 'pt, en'],
    ['emma@ajuda.local', 'Agent', 'en'],
    ['sofia@ajuda.local', 'Agent', 'es, en'],
    ['lea@ajuda.local', 'Support lead', 'pt, en, es'],
    ['pedro@ajuda.local', 'Project team (acme-migration)', 'pt, en'],
  ];
  const users = Object.values(DEMO_USERS);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ajuda demo</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/demo.css">
</head>
<body class="start">
<header><div class="wrap">
  <h1>Ajuda demo</h1>
  <p>The same “?” widget embedded in the three places a platform vendor needs it. This origin plays the customer; the widget and the console come from <code>${esc(ajudaOrigin)}</code>.</p>
</div></header>
<main class="wrap">
  <section class="places" aria-label="Host pages">
    <a class="card" href="/platform"><h2>Platform (signed in) →</h2><p class="muted">Acme Integrations, signed in as Ana Souza (switch to Bruno Lima). Channel <code>platform</code>: the page signs an identity token, so the chat knows the realm, its pipelines and projects.</p></a>
    <a class="card" href="/login"><h2>Login page →</h2><p class="muted">The platform's sign-in page. Channel <code>login</code>: anonymous; general questions and sign-in incidents, no realm data.</p></a>
    <a class="card" href="/site"><h2>Marketing site →</h2><p class="muted">The vendor's public site with the launcher bubble. Channel <code>website</code>: anonymous visitors and prospects.</p></a>
  </section>
  <section class="card">
    <h2>Support console</h2>
    <p>Agents answer at <a href="${esc(ajudaOrigin)}/console/">${esc(ajudaOrigin)}/console/</a>. Every agent's password is <code>ajuda-demo</code>.</p>
    <table><thead><tr><th>E-mail</th><th>Role</th><th>Languages</th></tr></thead><tbody>
    ${agents.map(([e, r, l]) => `<tr><td><code>${esc(e!)}</code></td><td>${esc(r!)}</td><td>${esc(l!)}</td></tr>`).join('\n    ')}
    </tbody></table>
  </section>
  <section class="card">
    <h2>Platform users (realm “Acme Integrations”)</h2>
    <table><thead><tr><th>User</th><th>E-mail</th><th>Locale</th><th>Permissions</th></tr></thead><tbody>
    ${users.map((u) => `<tr><td>${esc(u.name)} <span class="muted">(${u.id})</span></td><td>${esc(u.email)}</td><td>${u.locale}</td><td>${u.perms.length ? u.perms.map((p) => `<code>${esc(p)}</code>`).join(' ') : '—'} <span class="muted">${esc(u.role)}</span></td></tr>`).join('\n    ')}
    </tbody></table>
    <p class="muted">Switch users from the platform's top bar. Identity tokens are HS256 JWTs (10 minutes) signed by this stand-in backend at <code>POST /platform/api/identity-token</code>.</p>
  </section>
</main>
</body>
</html>
`;
}

export function platformPage(user: DemoUser, ajudaOrigin: string): string {
  const options = Object.values(DEMO_USERS)
    .map((u) => `<option value="${u.id}"${u.id === user.id ? ' selected' : ''}>${esc(u.name)}</option>`)
    .join('');
  const rows = PIPELINES.map(
    (p) =>
      `<tr><td>${esc(p.name)}</td><td><code>${esc(p.key)}</code></td><td><span class="tag ${p.env === 'Prod' ? 'prod' : 'test'}">${p.env}</span></td><td>${p.note ? `<span class="tag proj">${esc(p.note)}</span>` : '<span class="muted">Published</span>'}</td></tr>`,
  ).join('\n        ');
  return layout({
    title: 'Pipelines — Acme Integrations',
    lang: user.locale,
    bodyClass: 'app',
    ajudaOrigin,
    scripts: ['ajuda-platform.js', 'platform.js'],
    body: `<header class="top">
  <span class="brand">Acme Integrations</span>
  <span class="who">Signed in as <strong id="who">${esc(user.name)}</strong> · ${esc(user.email)}</span>
  <form method="post" action="/platform/switch-user">
    <label class="who" for="user">Switch user</label>
    <select id="user" name="user">${options}</select>
    <button class="btn ghost" type="submit">Switch</button>
  </form>
  <form id="sign-out" method="post" action="/platform/sign-out"><button class="btn ghost" type="submit">Sign out</button></form>
</header>
<nav aria-label="Platform">
  <a href="/platform" aria-current="page">Pipelines</a>
  <a href="/platform">Projects</a>
  <a href="/platform">Environments</a>
  <a href="/platform">Users</a>
  <a id="help-link" href="#help">Help <span id="help-count" class="count" hidden></span></a>
</nav>
<main>
  <div>
    <h1>Pipelines</h1>
    <p class="muted">Realm <strong>Acme Integrations</strong> (<code>acme</code>) · ${esc(user.role)}</p>
  </div>
  <section class="card" aria-labelledby="pl-h">
    <h2 id="pl-h">Deployed pipelines</h2>
    <table>
      <thead><tr><th>Name</th><th>Pipeline key</th><th>Environment</th><th>Status</th></tr></thead>
      <tbody>
        ${rows}
      </tbody>
    </table>
  </section>
  <section class="card">
    <h2>Need help?</h2>
    <p>Use the <strong>?</strong> button: support sees who you are and which pipelines are yours, so you can pick the pipeline instead of typing its key. Last conversation started here: <code id="last-conversation">—</code></p>
  </section>
</main>`,
  });
}

export function loginPage(ajudaOrigin: string, failed: boolean): string {
  return layout({
    title: 'Sign in — Acme Integrations platform',
    lang: 'en',
    bodyClass: 'login',
    ajudaOrigin,
    scripts: ['ajuda-login.js'],
    body: `<main class="card">
  <div class="brand">Integration Platform</div>
  <p class="muted">Sign in to your realm.</p>
  <form method="post" action="/login">
    <label for="email">E-mail</label>
    <input id="email" name="email" type="email" autocomplete="username" required>
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button class="btn" type="submit">Sign in</button>
  </form>
  ${failed ? '<p class="alert" role="alert">We could not sign you in. (This demo form checks nothing: use the <strong>?</strong> button to report a sign-in problem.)</p>' : ''}
  <p class="foot muted">Trouble signing in? Ask us with the <strong>?</strong> button — we never ask for your password.</p>
</main>`,
  });
}

export function sitePage(ajudaOrigin: string): string {
  return layout({
    title: 'Flowbridge — integrations that just run',
    lang: 'en',
    bodyClass: 'site',
    ajudaOrigin,
    scripts: ['ajuda-website.js', 'site.js'],
    body: `<header><div class="wrap">
  <span class="brand">Flowbridge</span>
  <nav aria-label="Site"><a href="#features">Product</a><a href="#plans">Pricing</a><a href="/login">Sign in</a></nav>
</div></header>
<main>
  <section class="hero"><div class="wrap">
    <h1>Integrations that just run.</h1>
    <p>Design pipelines between your ERP, CRM and storefront, test them safely, publish to production — with 24-hour support in Portuguese, English and Spanish.</p>
    <a class="btn" href="#plans">See plans</a>
    <a class="btn ghost" href="#help" data-open-help>Talk to us</a>
  </div></section>
  <div class="wrap">
    <section id="features" class="features">
      <div class="card"><h3>Visual pipelines</h3><p class="muted">Map fields, branch on conditions, retry with back-off. Every pipeline has a key you can quote to support.</p></div>
      <div class="card"><h3>Test and Prod</h3><p class="muted">Two environments per realm; promote a tested pipeline to production in one click.</p></div>
      <div class="card"><h3>Project teams</h3><p class="muted">Big migrations are run with our delivery squad until your pipelines go live.</p></div>
    </section>
    <section id="plans" class="plans" aria-label="Plans">
      <div class="card"><h3>Starter</h3><p class="price">$99<span class="muted">/mo</span></p><p class="muted">5 pipelines, community help.</p></div>
      <div class="card"><h3>Business</h3><p class="price">$490<span class="muted">/mo</span></p><p class="muted">50 pipelines, support contract, P1 response around the clock.</p></div>
      <div class="card"><h3>Enterprise</h3><p class="price">Let's talk</p><p class="muted">Dedicated project team. <a href="#help" data-open-help>Ask us</a>.</p></div>
    </section>
  </div>
</main>
<footer><div class="wrap">© Flowbridge (a fictional vendor of the Ajuda demo). Questions? The green <strong>?</strong> bubble, bottom right.</div></footer>`,
  });
}
