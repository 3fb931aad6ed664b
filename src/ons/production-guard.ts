import type { FastifyInstance } from 'fastify';
import { answerEarly, type ProxyFeature } from '../proxy/feature.js';
import { sendProblem } from '../proxy/problem.js';
import { isForwarded } from './forwarded.js';

const READ_ONLY_METHODS = ['GET', 'HEAD'] as const;

/**
 * Production holds real clients' care data: unless --allow-writes, the proxy only reads.
 * (Reaching production at all needs --allow-production, checked before the proxy starts.)
 */
export function productionReadOnly(): ProxyFeature {
  return {
    name: 'production-read-only',
    phase: 'guard',
    register(app: FastifyInstance) {
      answerEarly(app, (request, reply) => {
        if (!isForwarded(request) || (READ_ONLY_METHODS as readonly string[]).includes(request.method)) return false;
        reply.header('allow', READ_ONLY_METHODS.join(', '));
        sendProblem(reply, {
          status: 405,
          code: 'production_read_only',
          title: 'Production is read-only through this proxy',
          detail: `${request.method} would change real care data on production, so the proxy only sends GET and HEAD there. Start the proxy with --allow-writes (ONS_PROXY_ALLOW_WRITES=true) if this integration must write to production.`,
        });
        return true;
      });
    },
    status() {
      return { readOnly: true, allowedMethods: [...READ_ONLY_METHODS] };
    },
  };
}
