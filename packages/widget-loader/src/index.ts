// The loader as an ES module, for apps that bundle it (in-app embeds) instead of pasting the snippet.
// Both stages are linked in here: the panel mounts at once, with no second script to fetch.
import { createAjuda } from './loader.ts';

export type { AjudaApi, AjudaChannel, AjudaEvent, AjudaLocale, AjudaTheme, BootOptions } from './loader.ts';
export { createAjuda } from './loader.ts';

const api = createAjuda();

/**
 * Starts the widget on this page. `ajudaOrigin` is required here (there is no script URL to derive it from).
 * @example
 * import { boot, on } from '@ajuda/widget-loader';
 * boot({ ajudaOrigin: 'https://help.example.com', channel: 'platform',
 *        getIdentityToken: () => fetch('/api/ajuda-token', { method: 'POST' }).then((r) => r.json()).then((j) => j.token) });
 * on('unreadCountChange', (n) => console.log(n));
 */
export const boot = api.boot;
/** Opens the chat panel. @example show() */
export const show = api.show;
/** Closes the chat panel. @example hide() */
export const hide = api.hide;
/** Opens or closes the chat panel. @example toggle() */
export const toggle = api.toggle;
/** Changes locale or theme. @example update({ locale: 'es' }) */
export const update = api.update;
/** Logout: the frame forgets the visitor on this browser and the launcher goes away. @example shutdown() */
export const shutdown = api.shutdown;
/** Subscribes to `open`, `close`, `unreadCountChange` (count), `conversationStarted` (id). @example on('open', fn) */
export const on = api.on;
/** Unsubscribes. @example off('open', fn) */
export const off = api.off;
