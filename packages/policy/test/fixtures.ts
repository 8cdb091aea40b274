import type { PipelineView, ProjectView } from '@ajuda/protocol';
import type { AgentCandidate, Claims, ContractRecord, ConversationAccessFacts, Requester, RouteInput } from '../src/index.ts';

export const visitor = (claims?: Claims, channel: 'login' | 'website' = 'website'): Requester =>
  claims ? { kind: 'visitor', channel, claims } : { kind: 'visitor', channel };

export const ana: Requester = { kind: 'realm_user', channel: 'platform', realmId: 'acme', userId: 'u_ana', perms: ['support.grant'] };
export const bruno: Requester = { kind: 'realm_user', channel: 'platform', realmId: 'acme', userId: 'u_bruno', perms: [] };

export const CONTRACTS: ContractRecord[] = [
  { realmId: 'acme', realmName: 'Acme Integrations', emailDomains: ['acme.example'], active: true },
  { realmId: 'globex', realmName: 'Globex', emailDomains: ['globex.example'], active: true },
  { realmId: 'initech', realmName: 'Initech', emailDomains: ['initech.example'], active: false },
];

export const PL_ORDERS: PipelineView = { id: 'pl_orders', name: 'Orders sync', key: 'ORD-SYNC-01', environment: 'Prod', status: 'running', projectId: null, inProjectPhase: false };
export const PL_MIGRATION: PipelineView = { id: 'pl_migration', name: 'Legacy migration', key: 'MIG-LEG-04', environment: 'Test', status: 'running', projectId: 'prj_migration', inProjectPhase: true };
export const PRJ_MIGRATION: ProjectView = { id: 'prj_migration', name: 'ERP migration', ongoing: true };
export const PRJ_DONE: ProjectView = { id: 'prj_done', name: 'Old rollout', ongoing: false };

export const route = (over: Partial<RouteInput> = {}): RouteInput => ({
  requestType: 'incident',
  answers: {},
  requester: ana,
  pipeline: null,
  project: null,
  projectTeam: null,
  escalated: false,
  flaggedComplex: false,
  slaBreached: false,
  ...over,
});

// The demo staff (see the seed), as assignment candidates.
export const STAFF: AgentCandidate[] = [
  { id: 'joao', role: 'agent', languages: ['pt', 'en'], teams: [], available: true, openCount: 2 },
  { id: 'emma', role: 'agent', languages: ['en'], teams: [], available: true, openCount: 1 },
  { id: 'sofia', role: 'agent', languages: ['es', 'en'], teams: [], available: true, openCount: 3 },
  { id: 'lea', role: 'lead', languages: ['pt', 'en', 'es'], teams: [], available: true, openCount: 0 },
  { id: 'pedro', role: 'project-team', languages: ['pt', 'en'], teams: ['acme-migration'], available: true, openCount: 0 },
];

export const conv = (over: Partial<ConversationAccessFacts> = {}): ConversationAccessFacts => ({
  requesterVisitorId: null,
  requesterUserId: 'u_ana',
  realmId: 'acme',
  queue: 'support',
  team: null,
  assigneeId: null,
  ...over,
});

export const at = (iso: string): Date => new Date(iso);
export const plusMin = (d: Date, min: number): Date => new Date(d.getTime() + min * 60_000);
