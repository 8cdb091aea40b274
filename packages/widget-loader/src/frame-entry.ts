// Entry of dist/loader-frame.js (stage 2, served at /widget/loader-frame.js). Stage 1 (the snippet's
// loader.js) inserted this script with a callback on the script element; hand it the frame part.
// No global is defined: only the element stage 1 created is handed the code.
import { mountFrame } from './frame.ts';
import type { MountFrame } from './launcher.ts';

(document.currentScript as (HTMLScriptElement & { cb_?: (m: MountFrame) => void }) | null)?.cb_?.(mountFrame);
