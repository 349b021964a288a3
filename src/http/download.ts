import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';

/**
 * Sends a file as a download, for the API and the pages alike. The name is built only from
 * codes and dates (safeFilename) and quoted; nosniff stops a browser guessing another type, and
 * a download is never cached, as it holds a council's figures.
 */
export function sendDownload(reply: FastifyReply, mediaType: string, filename: string, body: string | Buffer | Readable): FastifyReply {
  return reply
    .type(mediaType)
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .send(body);
}
