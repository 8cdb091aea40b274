// Imported first by main.tsx: zod compiles validators with `new Function` unless told not to,
// which the console's CSP (script-src 'self', no 'unsafe-eval') reports as a violation. The
// schemas are built when @ajuda/protocol is imported, so this must run before that import.
import { config } from 'zod/v4/core';

config({ jitless: true });
