import type { AdminTab } from '../../context.ts';

export const ADMIN_TABS: readonly AdminTab[] = ['agents', 'teams', 'canned', 'sla', 'realms', 'tokens', 'webhooks'];

/** The Admin tabs a person sees: admins all of them, leads their teams' agents, others none. */
export function adminTabs(role: string): readonly AdminTab[] {
  return role === 'admin' ? ADMIN_TABS : role === 'lead' ? ['agents'] : [];
}
