import { beforeAll, beforeEach } from 'vitest';
import { RealmPanel } from '../src/screens/Conversation.tsx';

// Unit tests run the console in happy-dom, whose page is http://localhost:3000 with no server behind it.
// A request the test did not answer itself (the alert preferences on mount, a thumbnail's bytes) fails
// at once as an offline browser's would, instead of dialling a closed port and logging ECONNREFUSED.
const real = globalThis.fetch;
const page = 'http://localhost:3000';
globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (new URL(url, page).origin === page) return Promise.reject(new TypeError('Failed to fetch (no server in unit tests)'));
  return real(input, init);
}) as typeof fetch;

// Every test starts with an empty localStorage (composer drafts, alert preferences, the chosen language):
// what one test typed and left must not appear in the next one's composer.
beforeEach(() => localStorage.clear());

// The realm panel is a lazy chunk in the product (fetched with the first platform user's conversation);
// fetched ahead here, so that screens render it as they will once it is loaded.
beforeAll(() => RealmPanel.preload());
