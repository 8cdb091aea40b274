import type { FastifyBaseLogger } from 'fastify';
import type { ConversationRow, Store } from '@ajuda/db';
import { translator, type Catalog, type Locale, type Translate } from '@ajuda/i18n';
import en from '@ajuda/i18n/server/en';
import es from '@ajuda/i18n/server/es';
import pt from '@ajuda/i18n/server/pt';
import type { Principal, SlaState } from '@ajuda/policy';
import { AgentConversationUpdated, type SlaView } from '@ajuda/protocol';
import type { Config } from './config.ts';
import { StoreRealmDirectory, type RealmDirectory } from './domains/realm/directory.ts';
import { EventBus, type DomainEvents, type EventName } from './fanout/events.ts';
import { Fanout } from './fanout/fanout.ts';
import type { MemoryHub } from './hub.ts';
import { Access } from './services/access.ts';
import { Clock } from './services/clock.ts';
import { OwnerKeys } from './services/owners.ts';
import { Views } from './services/views.ts';
import type { ReplyPort, SessionState } from './session/port.ts';
import type { ConnPrincipal } from './session/principal.ts';

const CATALOGS: Record<Locale, Catalog> = { pt, en, es };

/**
 * Everything a domain handler needs, built once in buildApp: a thin composition of services split
 * by job — `clock`, `views` (projections that read the store), `access` (R7), `events` (the domain
 * event bus) and `fanout` (the only door to sockets). The one-line methods below delegate, so
 * domain code reads `svc.iso()`, `svc.mayAccess(p, c)`, `await svc.emit('conversation.changed', …)`.
 */
export class Services {
  readonly t: Record<Locale, Translate> = {
    pt: translator(CATALOGS.pt, 'pt'),
    en: translator(CATALOGS.en, 'en'),
    es: translator(CATALOGS.es, 'es'),
  };
  readonly clock: Clock;
  readonly owners = new OwnerKeys();
  readonly views: Views;
  readonly access: Access;
  /** Domain events, emitted after commit: the fan-out listens, and so can webhooks, email or metrics. */
  readonly events: EventBus;
  readonly fanout: Fanout;

  constructor(
    readonly config: Config,
    /** The database, through the store port (named commands; see @ajuda/db store.ts). */
    readonly store: Store,
    readonly hub: MemoryHub<SessionState>,
    readonly log: FastifyBaseLogger,
    now: () => Date = () => new Date(),
    /** The only door to realm data (R7); the store's tables unless a deployment plugs in its own. */
    readonly directory: RealmDirectory = new StoreRealmDirectory(store),
  ) {
    this.clock = new Clock(now);
    this.views = new Views(config, store, this.clock, this.owners, directory);
    this.access = new Access(store, this.owners);
    this.events = new EventBus((err, event) => log.error({ err, event }, 'event listener failed'));
    this.fanout = new Fanout(hub, store, this.views, this.access, this.owners, this.events, (err) => log.error({ err }, 'fan-out failed'));
  }

  // ── clock ──
  /** The server's clock (tests inject one). */
  readonly now = (): Date => this.clock.now();
  /** Now as an ISO string; formatted once per millisecond (every message is stamped with it). */
  iso(): string {
    return this.clock.iso();
  }

  // ── views ──
  sla(c: ConversationRow): SlaState | null {
    return this.views.sla(c);
  }
  slaView(c: ConversationRow): SlaView {
    return this.views.slaView(c);
  }
  requesterView(c: ConversationRow) {
    return this.views.requesterView(c);
  }
  agentView(c: ConversationRow) {
    return this.views.agentView(c);
  }
  /** Keep a conversation's owner key (the fan-out's recipients of its messages); returns the row. */
  remember<C extends Pick<ConversationRow, 'id' | 'ownerKey'>>(c: C): C {
    return this.owners.remember(c);
  }

  // ── access (R7, R7a, R7b, R13) ──
  policyPrincipal(p: ConnPrincipal): Principal {
    return this.access.policyPrincipal(p);
  }
  mayAccess(p: ConnPrincipal, c: ConversationRow): boolean {
    return this.access.mayAccess(p, c);
  }
  mayRead(p: ConnPrincipal, c: ConversationRow): Promise<boolean> {
    return this.access.mayRead(p, c);
  }
  loadReadable(p: ConnPrincipal, id: string): Promise<ConversationRow> {
    return this.access.loadReadable(p, id);
  }
  /** Agents disabled while this process runs (their sessions are also ended in the database). */
  get disabledAgents(): Set<string> {
    return this.access.disabledAgents;
  }

  // ── events and fan-out ──
  /** Tell every listener that something committed; resolves once the fan-out has sent its frames. */
  emit<E extends EventName>(event: E, payload: DomainEvents[E]): Promise<void> {
    return this.events.emit(event, payload);
  }
  /** Agents that are online (at least one socket). */
  onlineAgents(): Set<string> {
    return this.fanout.onlineAgents();
  }

  /** Reply to an agent's command with the conversation as it now is, carrying the command's ref. */
  async ackAgent(to: ReplyPort, ref: string | undefined, id: string): Promise<void> {
    const c = await this.store.getConversation(id);
    if (c) to.reply(AgentConversationUpdated, { type: 'agent.conversation.updated', ref, conversation: await this.agentView(c) });
  }

  close(): void {
    this.fanout.close();
  }
}
