// zod (the protocol's validateIntake) loads only with the intake form. Its object schemas probe
// `new Function` when they are built, which a page CSP without 'unsafe-eval' (ours, see
// apps/server) reports as a violation even though zod catches the error. Imported FIRST by the
// intake chunk, so zod's global config says jitless before the protocol's schemas are built.
import { config } from 'zod/v4/core';

config({ jitless: true });
