import type { RealmSeed } from './repo.ts';
import type { Store } from './store.ts';

/** The demo realm used by `pnpm start` and the tests. */
export const DEMO_REALMS: RealmSeed[] = [
  {
    id: 'acme',
    name: 'Acme Integrations',
    contract: { emailDomains: ['acme.example'], active: true },
    projects: [
      { id: 'prj_migration', name: 'ERP migration', ongoing: true, team: 'acme-migration' },
      { id: 'prj_core', name: 'Core flows', ongoing: false, team: null },
    ],
    pipelines: [
      { id: 'pl_orders', name: 'Orders sync', key: 'ORD-SYNC-01', environment: 'Prod', status: 'running', projectId: 'prj_core', inProjectPhase: false },
      { id: 'pl_invoices', name: 'Invoice export', key: 'INV-EXP-02', environment: 'Prod', status: 'running', projectId: 'prj_core', inProjectPhase: false },
      { id: 'pl_crm', name: 'CRM contacts', key: 'CRM-CNT-03', environment: 'Test', status: 'running', projectId: null, inProjectPhase: false },
      { id: 'pl_migration', name: 'Legacy migration', key: 'MIG-LEG-04', environment: 'Test', status: 'running', projectId: 'prj_migration', inProjectPhase: true },
    ],
  },
  {
    id: 'globex',
    name: 'Globex Corporation',
    contract: { emailDomains: ['globex.example'], active: true },
    projects: [{ id: 'prj_globex', name: 'Globex rollout', ongoing: false, team: null }],
    pipelines: [
      { id: 'pl_globex_pay', name: 'Payments bridge', key: 'GLX-PAY-01', environment: 'Prod', status: 'running', projectId: 'prj_globex', inProjectPhase: false },
    ],
  },
];

export const DEMO_USERS = [
  { realmId: 'acme', id: 'u_ana', name: 'Ana Souza', email: 'ana@acme.example', locale: 'pt', perms: ['support.grant'] },
  { realmId: 'acme', id: 'u_bruno', name: 'Bruno Lima', email: 'bruno@acme.example', locale: 'en', perms: [] as string[] },
  { realmId: 'globex', id: 'u_gina', name: 'Gina Park', email: 'gina@globex.example', locale: 'en', perms: ['support.grant'] },
] as const;

export const DEMO_AGENT_PASSWORD = 'ajuda-demo';
export const DEMO_AGENTS = [
  { id: 'ag_joao', email: 'joao@ajuda.local', name: 'João Pereira', role: 'agent', languages: ['pt', 'en'], teams: [] as string[] },
  { id: 'ag_emma', email: 'emma@ajuda.local', name: 'Emma Clarke', role: 'agent', languages: ['en'], teams: [] },
  { id: 'ag_sofia', email: 'sofia@ajuda.local', name: 'Sofía Romero', role: 'agent', languages: ['es', 'en'], teams: [] },
  { id: 'ag_lea', email: 'lea@ajuda.local', name: 'Léa Martins', role: 'lead', languages: ['pt', 'en', 'es'], teams: [] },
  { id: 'ag_pedro', email: 'pedro@ajuda.local', name: 'Pedro Alves', role: 'project-team', languages: ['pt', 'en'], teams: ['acme-migration'] },
] as const;

/** The demo's teams (the project team of Acme's migration) and canned replies in each language. */
export const DEMO_TEAMS = [{ id: 'acme-migration', name: 'Acme migration' }] as const;
export const DEMO_CANNED = [
  { id: 'cr_demo_hello_pt', language: 'pt', shortcut: 'ola', title: 'Saudação', body: 'Olá! Obrigado por entrar em contato. Estou analisando a sua mensagem e já respondo.' },
  { id: 'cr_demo_hello_en', language: 'en', shortcut: 'hello', title: 'Greeting', body: 'Hello! Thanks for reaching out. I am looking into your message and will get back to you shortly.' },
  { id: 'cr_demo_hello_es', language: 'es', shortcut: 'hola', title: 'Saludo', body: '¡Hola! Gracias por escribirnos. Estoy revisando tu mensaje y te respondo enseguida.' },
  { id: 'cr_demo_logs_en', language: 'en', shortcut: 'logs', title: 'Ask for logs', body: 'Could you send the pipeline key and the time it failed? With that I can read the run logs.' },
  { id: 'cr_demo_logs_pt', language: 'pt', shortcut: 'logs', title: 'Pedir logs', body: 'Pode me enviar a chave do pipeline e o horário da falha? Com isso consigo ler os logs da execução.' },
  { id: 'cr_demo_logs_es', language: 'es', shortcut: 'logs', title: 'Pedir registros', body: '¿Puedes enviarme la clave del pipeline y la hora del fallo? Con eso puedo leer los registros de la ejecución.' },
] as const;

/**
 * Run `fn` while no other process sharing the database runs the job `name` (a turn of `tryLeadership`,
 * waited for): processes that start together on an empty database take turns, and the later ones find
 * the work done. SQLite has one process, whose turn it always is.
 * @example await oneAtATime(store, 'demo-seed', () => seedDemoStore(store, hash));
 */
export async function oneAtATime<T>(store: Store, name: string, fn: () => Promise<T>, waitMs = 100): Promise<T> {
  for (;;) {
    const turn = await store.tryLeadership(name);
    if (turn) {
      try {
        return await fn();
      } finally {
        await turn.release();
      }
    }
    await new Promise((r) => setTimeout(r, waitMs));
  }
}

/**
 * Seed the demo: realms with contracts, projects and pipelines; agents with the demo password.
 * Idempotent, and one process at a time: two nodes starting together on an empty PostgreSQL database
 * would otherwise both insert the same agents (their emails are unique) and one would fail to start.
 * `hashPassword` is the server's scrypt hasher (kept there with the rest of the crypto).
 */
export function seedDemoStore(store: Store, hashPassword: (pw: string) => string, at = new Date().toISOString()): Promise<void> {
  return oneAtATime(store, 'demo-seed', () => seedOnce(store, hashPassword, at));
}

async function seedOnce(store: Store, hashPassword: (pw: string) => string, at: string): Promise<void> {
  await store.loadRealms(DEMO_REALMS, at);
  // Each is written once (a team or shortcut that exists is left alone, with its edits).
  for (const t of DEMO_TEAMS) await store.admin.createTeam(t, at, { actor: 'seed', action: 'team.created', detail: { teamId: t.id } });
  for (const c of DEMO_CANNED) await store.admin.createCanned({ ...c, updatedAt: at }, { actor: 'seed', action: 'canned.created', detail: { cannedId: c.id } });
  for (const a of DEMO_AGENTS) {
    if (await store.getAgent(a.id)) continue;
    await store.upsertAgent({
      id: a.id,
      email: a.email,
      name: a.name,
      passwordHash: hashPassword(DEMO_AGENT_PASSWORD),
      role: a.role,
      languages: [...a.languages],
      teams: [...a.teams],
      available: true,
      disabled: false,
    });
  }
}

