import { answerEarly, type ProxyFeature } from '../feature.js';
import { sendProblem } from '../problem.js';

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
        sendProblem(reply, {
          status: 413,
          code: 'request_body_too_large',
          title: 'Request body too large',
          detail: `Content-Length ${declared.slice(0, 30)} exceeds the ${MAX_REQUEST_BODY_BYTES / 1024 ** 3} GiB the proxy forwards (Ons accepts uploads up to 250 MB).`,
        });
        return true;
      });
    },
  };
}
