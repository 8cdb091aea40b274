import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { ErrorFrame, PROTOCOL_VERSION, clientCode, errorInfo, type ErrorCode, type ServerFrame } from '@ajuda/protocol';
import { buildApp, type BuildOptions } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Services } from '../src/context.ts';
import { realmUserOwnerKey } from '../src/identity.ts';
import { hello, type HelloSocket } from '../src/session/hello.ts';
import type { ErrorExtra, HandlerIo, SessionState } from '../src/session/port.ts';
import type { AgentPrincipal, ConnPrincipal, RealmUserPrincipal, VisitorPrincipal } from '../src/session/principal.ts';

let nextId = 1_000_000;

/**
 * A fake reply port and session for handler unit tests: it records every frame (validated by its
 * schema, as the real socket does) instead of writing to a socket. Test-only.
 */
export class FakeIo implements HandlerIo, HelloSocket {
  readonly id = nextId++;
  readonly frames: ServerFrame[] = [];
  principal: ConnPrincipal | null = null;
  readonly inbox = new Set<string>();
  readonly opened = new Set<string>();
  readonly timers: NodeJS.Timeout[] = [];
  closed = false;

  constructor(
    readonly endpoint: 'requester' | 'agent' = 'requester',
    readonly origin = '',
    readonly cookieToken: string | null = null,
  ) {}

  get session(): SessionState {
    return this;
  }
  reply<S extends z.ZodType>(schema: S, frame: z.input<S>): void {
    this.sendRaw(JSON.stringify(schema.parse(frame)));
  }
  send<S extends z.ZodType>(schema: S, frame: z.input<S>): void {
    this.reply(schema, frame);
  }
  sendRaw(json: string): void {
    this.frames.push(JSON.parse(json) as ServerFrame);
  }
  error(code: ErrorCode, extra: ErrorExtra = {}): void {
    const visible = clientCode(code);
    this.reply(ErrorFrame, { type: 'error', code: visible, i18nKey: errorInfo(visible).i18nKey, ...extra });
  }
  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
  }

  /** The frames of one type, typed. */
  of<T extends ServerFrame['type']>(type: T): Array<Extract<ServerFrame, { type: T }>> {
    return this.frames.filter((f): f is Extract<ServerFrame, { type: T }> => f.type === type);
  }
  last<T extends ServerFrame['type']>(type: T): Extract<ServerFrame, { type: T }> {
    const all = this.of(type);
    if (!all.length) throw new Error(`no ${type} frame; got ${this.frames.map((f) => f.type).join(', ')}`);
    return all[all.length - 1]!;
  }
}

export interface UnitStack {
  svc: Services;
  /** A visitor through the real handshake (a new visitor row), on the website channel. */
  visitor(): Promise<FakeIo & { principal: VisitorPrincipal }>;
  /** Another socket (tab) of the same visitor, through the handshake with their token. */
  visitorTab(first: FakeIo & { principal: VisitorPrincipal }): Promise<FakeIo & { principal: VisitorPrincipal }>;
  /** A seeded realm user (acme/u_ana holds support.grant). */
  realmUser(userId?: string, perms?: string[]): FakeIo & { principal: RealmUserPrincipal };
  /** A seeded agent (ag_lea is a lead, ag_joao an agent). */
  agent(agentId?: string): FakeIo & { principal: AgentPrincipal };
  close(): Promise<void>;
}

const AGENTS: Record<string, Omit<AgentPrincipal, 'kind' | 'sessionHash'>> = {
  ag_lea: { agentId: 'ag_lea', name: 'Léa Martins', role: 'lead', languages: ['pt', 'en', 'es'], teams: [] },
  ag_joao: { agentId: 'ag_joao', name: 'João Pereira', role: 'agent', languages: ['pt', 'en'], teams: [] },
  ag_emma: { agentId: 'ag_emma', name: 'Emma Clarke', role: 'agent', languages: ['en'], teams: [] },
};

/**
 * The real services over a fresh seeded database, no HTTP listener: handlers are called directly.
 * `directory` plugs in another realm directory, as a deployment may.
 */
export async function unitStack(opts: Pick<BuildOptions, 'directory'> = {}): Promise<UnitStack> {
  const dir = mkdtempSync(join(tmpdir(), 'ajuda-unit-'));
  const config = loadConfig({ AJUDA_DB_FILE: join(dir, 'ajuda.db'), AJUDA_DEMO: 'off', LOG_LEVEL: 'warn', AJUDA_SYNCHRONOUS: 'NORMAL' }, dir);
  const app = await buildApp(config, { seed: true, logger: false, ...opts });
  const svc = app.ajuda.svc;
  const own = new URL(config.publicUrl).origin;
  const opened: FakeIo[] = [];
  const track = <T extends FakeIo>(io: T): T => {
    opened.push(io);
    return io;
  };
  return {
    svc,
    async visitor() {
      const io = track(new FakeIo('requester', own));
      await hello(svc, io, { type: 'session.hello', v: PROTOCOL_VERSION, channel: 'website', locale: 'en' });
      const p = io.principal;
      if (p?.kind !== 'visitor') throw new Error(`hello failed: ${JSON.stringify(io.frames)}`);
      return Object.assign(io, { principal: p });
    },
    async visitorTab(first) {
      const token = first.last('session.ready').visitorToken;
      const io = track(new FakeIo('requester', own));
      await hello(svc, io, { type: 'session.hello', v: PROTOCOL_VERSION, channel: 'website', locale: 'en', visitorToken: token });
      const p = io.principal;
      if (p?.kind !== 'visitor' || p.visitorId !== first.principal.visitorId) throw new Error('the second tab is another visitor');
      return Object.assign(io, { principal: p });
    },
    realmUser(userId = 'u_ana', perms = ['support.grant']) {
      const p: RealmUserPrincipal = {
        kind: 'realm_user',
        realmId: 'acme',
        userId,
        perms,
        name: userId,
        email: null,
        ownerKey: realmUserOwnerKey('acme', userId),
        channel: 'platform',
        tokenLocale: 'en',
        locale: 'en',
        expiresAt: new Date(Date.now() + 600_000),
      };
      return Object.assign(track(new FakeIo('requester', own)), { principal: p });
    },
    agent(agentId = 'ag_lea') {
      const a = AGENTS[agentId];
      if (!a) throw new Error(`unknown seeded agent ${agentId}`);
      const p: AgentPrincipal = { kind: 'agent', sessionHash: `unit-${agentId}`, ...a };
      return Object.assign(track(new FakeIo('agent', own)), { principal: p });
    },
    async close() {
      for (const io of opened) io.close();
      await app.close();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
