// The Ajuda loader as one piece: stage 1 (launcher.ts: API, events, the "?" launcher) with stage 2
// (frame.ts: the iframe and its bridge) linked in, so the panel mounts synchronously. The ES module
// entry (index.ts) uses this; the snippet build (snippet-entry.ts) loads stage 2 on demand instead.
import { createLauncher } from './launcher.ts';
import { mountFrame } from './frame.ts';

export type {
  AjudaApi,
  AjudaChannel,
  AjudaEvent,
  AjudaListener,
  AjudaLocale,
  AjudaTheme,
  BootOptions,
  UpdateOptions,
} from './launcher.ts';

/**
 * Creates an independent loader instance. `defaultOrigin` is the Ajuda origin (or any URL on it).
 * @example
 * const ajuda = createAjuda('https://help.example.com');
 * ajuda.boot({ channel: 'website' });
 */
export const createAjuda = (defaultOrigin?: string) => createLauncher(defaultOrigin, mountFrame);
