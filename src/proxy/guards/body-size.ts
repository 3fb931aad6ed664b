import { Transform, pipeline, type Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { answerEarly, type ProxyFeature } from '../feature.js';
import { sendProblem, type Problem } from '../problem.js';

/** Ons accepts document uploads of at most 250 MB; four times that is no upload, only a broken or hostile client. */
export const MAX_REQUEST_BODY_BYTES = 1024 ** 3;

/**
 * Refuses an absurd Content-Length before any upstream work starts. Node's parser already
 * rejects malformed ones; a well-formed but huge one (say 9007199254740993) would
 * otherwise open an upload the upstream can never receive.
 */
export function bodySizeGuard(): ProxyFeature {
  return {
    name: 'body-size',
    phase: 'guard',
    register(app) {
      answerEarly(app, (request, reply) => {
        const declared = request.headers['content-length'];
        if (declared === undefined || Number(declared) <= MAX_REQUEST_BODY_BYTES) return false;
        // The body will not be read, so the connection cannot carry another request.
        reply.header('connection', 'close');
        sendProblem(reply, tooLarge(`Content-Length ${declared.slice(0, 30)} exceeds`));
        return true;
      });
      // Without a declared length (chunked) the size is only known as the body streams: count it.
      app.addHook('preParsing', (request, reply, payload, done) => {
        if (request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] === undefined) {
          done(null, payload);
          return;
        }
        done(null, countedBody(payload, () => refuseMidStream(reply)));
      });
    },
  };
}

function tooLarge(what: string): Problem {
  return {
    status: 413,
    code: 'request_body_too_large',
    title: 'Request body too large',
    detail: `${what} the ${MAX_REQUEST_BODY_BYTES / 1024 ** 3} GiB the proxy forwards (Ons accepts uploads up to 250 MB).`,
  };
}

/** The body as it arrives, failing at the first byte past the limit. */
function countedBody(payload: Readable, onOverflow: () => void): Transform {
  let total = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total <= MAX_REQUEST_BODY_BYTES) {
        callback(null, chunk);
        return;
      }
      onOverflow();
      callback(Object.assign(new Error(`the streamed request body passed ${MAX_REQUEST_BODY_BYTES} bytes`), { code: 'REQUEST_BODY_TOO_LARGE' }));
    },
  });
  pipeline(payload, counter, () => undefined);
  return counter;
}

function refuseMidStream(reply: FastifyReply): void {
  sendProblem(reply.header('connection', 'close'), tooLarge('The chunked request body exceeds'));
  // Whatever the upstream received of the body stays incomplete: the call is cut off, not ended.
  reply.request.exchange.upstreamCall?.cancel(Object.assign(new Error('the request body was too large'), { code: 'REQUEST_BODY_TOO_LARGE' }));
  reply.raw.once('finish', () => reply.request.raw.socket?.end());
}
