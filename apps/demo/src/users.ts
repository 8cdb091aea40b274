/** The stand-in platform's users: the demo realm `acme` seeded by the Ajuda server (see the server contract). */
export interface DemoUser {
  id: 'u_ana' | 'u_bruno';
  realm: string;
  name: string;
  email: string;
  locale: 'pt' | 'en' | 'es';
  /** `support.grant` lets the user grant support write access to the realm (R12b). */
  perms: string[];
  role: string;
}

export const DEMO_USERS: Record<DemoUser['id'], DemoUser> = {
  u_ana: {
    id: 'u_ana',
    realm: 'acme',
    name: 'Ana Souza',
    email: 'ana@acme.example',
    locale: 'pt',
    perms: ['support.grant'],
    role: 'Realm admin — may grant support access',
  },
  u_bruno: {
    id: 'u_bruno',
    realm: 'acme',
    name: 'Bruno Lima',
    email: 'bruno@acme.example',
    locale: 'en',
    perms: [],
    role: 'Developer — cannot grant support access',
  },
};

/** The signed-in user, from the `demo_user` cookie; Ana when absent or unknown. */
export function userFromCookie(cookieHeader: string | undefined): DemoUser {
  const m = /(?:^|;\s*)demo_user=([^;]*)/.exec(cookieHeader ?? '');
  const id = m?.[1];
  return id === 'u_bruno' ? DEMO_USERS.u_bruno : DEMO_USERS.u_ana;
}
