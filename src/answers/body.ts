import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';

/** The longest request body an answer source reads (the proxy's body-size guard usually stops one sooner). */
const MAX_READ_BODY = 16 * 1024 * 1024;

/**
 * The request's whole body, read once and kept on the request as a Buffer, so the next
 * source asked sees it too (the stream can be read only once; the recorder's tap sees it pass).
 */
export async function requestBody(request: FastifyRequest): Promise<Buffer> {
  if (Buffer.isBuffer(request.body)) return request.body;
  if (!(request.body instanceof Readable)) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request.body) {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    total += bytes.length;
    if (total > MAX_READ_BODY) {
      // 413, not a proxy failure: the client can do something about it.
      throw Object.assign(new Error(`The request body is larger than the ${MAX_READ_BODY / 1024 ** 2} MiB that the mock and replay's fixtures read: send a smaller body, or send it to the real API with "ons-proxy start".`), { statusCode: 413 });
    }
    chunks.push(bytes);
  }
  const body = Buffer.concat(chunks);
  request.body = body;
  return body;
}

/** Whether the request came with a body still to read, or one a source read before. */
export function hasRequestBody(request: FastifyRequest): boolean {
  return Buffer.isBuffer(request.body) || request.body instanceof Readable;
}
