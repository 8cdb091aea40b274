import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AjudaError } from '@ajuda/protocol';
import type { Services } from '../../context.ts';
import { attachmentView } from '../../attachments/attachments.ts';
import { ingestParts, readableFile, registerMultipart, sendFile, senderOf } from '../../attachments/routes.ts';
import type { ApiPrincipal } from '../tokens.ts';
import { ApiUpload, ConversationParams, conflict, errors, notFound, tooLarge, unsupported } from './schemas.ts';
import { apiAttachment } from './views.ts';

const tags = ['conversations'];
const AttachmentParams = z.object({ id: z.string().min(1).max(64) });

/**
 * Files on `/api/v1`, through the same pipeline and checks as the widget's and the console's:
 * - `POST /conversations/{id}/attachments` (conversations:write; multipart/form-data, `file` parts):
 *   stored for the token's agent (a system token: the system) in that conversation, to be taken by
 *   its next reply or note (`attachments` of the message body) before they expire.
 * - `GET /attachments/{id}` and `/attachments/{id}/thumb` (conversations:read): the file, for whoever
 *   may read the message carrying it (R7: otherwise the same 404 as a missing id), with the download
 *   headers of the product; every download of the file is audited under the token's actor.
 */
export const attachmentApiRoutes: FastifyPluginAsyncZod<{ svc: Services }> = async (app, { svc }) => {
  const who = (req: { api: ApiPrincipal | null }) => req.api!;
  await registerMultipart(app, svc);

  app.post(
    '/conversations/:id/attachments',
    {
      config: { apiScope: 'conversations:write', rateLimit: { max: svc.config.uploads.perMinute, timeWindow: 60_000 } },
      schema: {
        tags,
        summary: 'Upload files for a reply or note',
        description:
          'multipart/form-data with one or more `file` parts. The server decides each type from the bytes (PNG, JPEG, GIF, WebP — re-encoded without metadata, with a thumbnail —, PDF, ZIP, and UTF-8 .txt/.log/.csv/.json/.har); anything else is 415. Send the ids in `attachments` of `POST /conversations/{id}/messages` or `/notes`.',
        consumes: ['multipart/form-data'],
        params: ConversationParams,
        response: { 201: z.object({ attachments: z.array(ApiUpload) }), ...errors, ...notFound, ...conflict, ...tooLarge, ...unsupported },
      },
    },
    async (req, reply) => {
      const p = who(req);
      const c = await svc.access.loadReadable(p.as, req.params.id);
      if (c.status === 'closed') throw new AjudaError('conversation_closed');
      if (!req.isMultipart()) throw new AjudaError('unsupported_media_type', 'send the files as multipart/form-data');
      const rows = await ingestParts(svc, req, c.id, senderOf(p.as));
      if (!rows.length) throw new AjudaError('bad_request', 'no file part');
      return reply.code(201).send({ attachments: rows.map((r) => ({ ...apiAttachment(attachmentView(r)), expiresAt: r.expiresAt })) });
    },
  );

  for (const thumb of [false, true]) {
    app.get(
      thumb ? '/attachments/:id/thumb' : '/attachments/:id',
      {
        config: { apiScope: 'conversations:read' },
        schema: {
          tags,
          summary: thumb ? 'An image’s thumbnail (WebP)' : 'Download a file',
          description: thumb
            ? '200: the thumbnail, `image/webp`.'
            : '200: the bytes, with the type the server decided, `X-Content-Type-Options: nosniff`, `Content-Security-Policy: sandbox` and `Content-Disposition: attachment` (inline for re-encoded images).',
          params: AttachmentParams,
          response: { ...errors, ...notFound },
        },
      },
      async (req, reply) => {
        const p = who(req);
        const file = await readableFile(svc, p.as, req.params.id, thumb, p.actor, 'api');
        if (!file) throw new AjudaError('not_found');
        return sendFile(reply, file.a, file.bytes, thumb);
      },
    );
  }
};
