// `pnpm openapi`: regenerates docs/openapi.json, the OpenAPI document of the public API (/api/v1),
// from the zod schemas of its routes — exactly what a server serves at /api/v1/openapi.json.
// apps/server/test/api/openapi.test.ts fails while the committed file differs from the served one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPENAPI_FILE, openApiText, servedOpenApi } from '../apps/server/src/api/openapi.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const doc = await servedOpenApi();
writeFileSync(join(root, OPENAPI_FILE), openApiText(doc));
const paths = Object.keys((doc as { paths: Record<string, unknown> }).paths).length;
console.log(`wrote ${OPENAPI_FILE} (${paths} paths)`);
