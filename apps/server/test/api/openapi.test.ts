import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { OPENAPI_FILE, openApiText, servedOpenApi } from '../../src/api/openapi.ts';
import { apiStack, type ApiStack } from './helpers.ts';

const repo = join(import.meta.dirname, '../../../..');

let s: ApiStack;
let served: Record<string, unknown>;
beforeAll(async () => {
  s = await apiStack();
  served = (await s.call('GET', '/api/v1/openapi.json', null)).json();
});
afterAll(async () => {
  await s?.close();
});

type Doc = { paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>> };

describe('the OpenAPI document', () => {
  it('is served without a token, the same by every server, and committed as docs/openapi.json (pnpm openapi regenerates it)', async () => {
    const committed = readFileSync(join(repo, OPENAPI_FILE), 'utf8');
    // A server with another configuration (production, another database, another public URL) serves the same document.
    expect(openApiText(await servedOpenApi())).toBe(committed);
    expect(openApiText(served)).toBe(committed);
  });

  it('is a valid OpenAPI 3 document (swagger-parser)', async () => {
    const api = await SwaggerParser.validate(structuredClone(served) as never);
    expect(api.info.title).toBe('Ajuda API');
    // A broken document is refused by the same check.
    const broken = structuredClone(served) as Doc;
    (broken.paths['/api/v1/conversations']!.get as unknown as { responses: unknown }).responses = 'none';
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow();
  });

  it('holds every registered /api/v1 route, and nothing else', () => {
    const routes = (s.app as FastifyInstance).publicApiRoutes;
    expect(routes.length).toBeGreaterThan(10);
    const doc = served as Doc;
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const registered = routes.map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    expect(documented.sort()).toEqual([...new Set(registered)].sort());
    for (const [path, ops] of Object.entries(doc.paths)) {
      expect(path.startsWith('/api/v1/')).toBe(true);
      for (const op of Object.values(ops)) expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
    }
  });

  it('is browsable at /api/docs', async () => {
    const r = await s.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('Swagger UI');
  });
});
