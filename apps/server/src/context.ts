import type { FastifyBaseLogger } from 'fastify';
import type { Store } from '@ajuda/db';
import { translator, type Catalog, type Locale, type Translate } from '@ajuda/i18n';
import en from '@ajuda/i18n/server/en';
import es from '@ajuda/i18n/server/es';
import pt from '@ajuda/i18n/server/pt';
import { AgentConversationUpdated } from '@ajuda/protocol';
import type { Config } from './config.ts';
import { StoreRealmDirectory, type RealmDirectory } from './domains/realm/directory.ts';
import { EventBus } from './fanout/events.ts';
import { Fanout } from './fanout/fanout.ts';
import type { MemoryHub } from './hub.ts';
import { LocalPresence, type Presence } from './cluster/presence.ts';
import { Metrics } from './observability/metrics.ts';
import { Access } from './services/access.ts';
import { Clock } from './services/clock.ts';
import { OwnerKeys } from './services/owners.ts';
import { Views } from './services/views.ts';
import { SlaTiers } from './admin/sla-tiers.ts';
import { Attachments } from './attachments/attachments.ts';
import type { ReplyPort, SessionState } from './session/port.ts';

const CATALOGS: Record<Locale, Catalog> = { pt, en, es };

/**
 * Everything a domain handler needs, built once in buildApp: a thin composition of services split
 * by job — `clock`, `views` (projections that read the store), `access` (R7), `owners`, `events`
 * (the domain event bus) and `fanout` (the only door to sockets). Domain code names the service it
 * uses: `svc.clock.iso()`, `svc.access.mayAccess(p, c)`, `await svc.events.emit('conversation.changed', …)`.
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
  /** R10: each realm's SLA tier and its targets (admin/sla-tiers.ts). */
  readonly slaTiers: SlaTiers;
  readonly access: Access;
  /** Domain events, emitted after commit: the fan-out listens, and so can webhooks, email or metrics. */
  readonly events: EventBus;
  readonly fanout: Fanout;
  /** Who is online for routing (R11): this process's sockets, or the whole cluster's. */
  presence: Presence;
  /**
   * Prometheus metrics (observability/metrics.ts), served on AJUDA_METRICS_ADDR. A feature adds its
   * own: `svc.metrics.counter('ajuda_…_total', help, ['label'])`; webhooks: `svc.metrics.outboxDepth(read)`,
   * `svc.metrics.webhookResult(result, status)`.
   */
  readonly metrics = new Metrics();
  /** Files people attach: checked, stored and bound to messages (attachments/attachments.ts; `ingest` for any server code). */
  readonly attachments: Attachments;

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
    this.slaTiers = new SlaTiers(store, config.sla);
    this.views = new Views(config, store, this.clock, this.owners, directory, (realmId) => this.slaTiers.policyFor(realmId));
    this.access = new Access(store, this.owners);
    this.events = new EventBus((err, event) => log.error({ err, event }, 'event listener failed'));
    // The directory hears of every pipeline the server changes (R12d), so a cached copy never goes stale.
    this.events.on('pipeline.changed', ({ realmId, pipeline }) => directory.pipelineChanged?.(realmId, pipeline));
    this.fanout = new Fanout(hub, store, this.views, this.access, this.owners, this.events, (err) => log.error({ err }, 'fan-out failed'));
    this.presence = new LocalPresence(this.fanout);
    this.attachments = new Attachments(store, config.uploads, now);
  }

  /** Reply to an agent's command with the conversation as it now is, carrying the command's ref. */
  async ackAgent(to: ReplyPort, ref: string | undefined, id: string): Promise<void> {
    const c = await this.store.getConversation(id);
    if (c) to.reply(AgentConversationUpdated, { type: 'agent.conversation.updated', ref, conversation: await this.views.agentView(c) });
  }

  async close(): Promise<void> {
    this.slaTiers.close();
    await this.fanout.close();
  }
}
