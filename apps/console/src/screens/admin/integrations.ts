import { call } from './api.ts';

/**
 * The console's calls to the public API's admin routes (/api/v1/tokens, /api/v1/webhooks): same
 * origin, the admin's HttpOnly session cookie, never a bearer held by script.
 */
export const SCOPES = ['conversations:read', 'conversations:write', 'admin'] as const;
export const WEBHOOK_EVENTS = ['conversation.started', 'conversation.updated', 'message.created', 'escalation.created', 'sla.breached', 'feedback.recorded'] as const;

export interface ApiToken {
  id: string;
  name: string;
  scopes: string[];
  agentId: string | null;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}
export interface Endpoint {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  failingSince: string | null;
  rotating: boolean;
  previousSecretUntil: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface Delivery {
  id: string;
  endpointId: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}

const enc = encodeURIComponent;
export const integrationsApi = {
  tokens: () => call<{ tokens: ApiToken[] }>('GET', '/api/v1/tokens'),
  createToken: (b: { name: string; scopes: string[]; agentId: string | null; expiresAt?: string }) => call<{ token: string; apiToken: ApiToken }>('POST', '/api/v1/tokens', b),
  revokeToken: (id: string) => call<null>('DELETE', `/api/v1/tokens/${enc(id)}`),
  endpoints: () => call<{ endpoints: Endpoint[] }>('GET', '/api/v1/webhooks'),
  createEndpoint: (b: { url: string; events: string[]; description: string }) => call<{ endpoint: Endpoint; secret: string }>('POST', '/api/v1/webhooks', b),
  updateEndpoint: (id: string, b: { url?: string; events?: string[]; description?: string; enabled?: boolean }) => call<{ endpoint: Endpoint }>('PATCH', `/api/v1/webhooks/${enc(id)}`, b),
  deleteEndpoint: (id: string) => call<null>('DELETE', `/api/v1/webhooks/${enc(id)}`),
  rotate: (id: string) => call<{ endpoint: Endpoint; secret: string }>('POST', `/api/v1/webhooks/${enc(id)}/rotate-secret`, {}),
  deliveries: (id: string) => call<{ deliveries: Delivery[]; nextCursor: string | null }>('GET', `/api/v1/webhooks/${enc(id)}/deliveries?limit=50`),
  replay: (id: string, deliveryId: string) => call<{ delivery: Delivery }>('POST', `/api/v1/webhooks/${enc(id)}/deliveries/${enc(deliveryId)}/replay`),
};
