import { beforeAll, beforeEach } from 'vitest';
import { RealmPanel } from '../src/screens/Conversation.tsx';
import '../../../test/no-server.ts';

// Every test starts with an empty localStorage (composer drafts, alert preferences, the chosen language):
// what one test typed and left must not appear in the next one's composer.
beforeEach(() => localStorage.clear());

// The realm panel is a lazy chunk in the product (fetched with the first platform user's conversation);
// fetched ahead here, so that screens render it as they will once it is loaded.
beforeAll(async () => {
  await RealmPanel.preload();
});
