// Forwarded answers must never run on the origin of the proxy's own pages: a script in an
// upstream's HTML error page or stored SVG would otherwise read every record, the status,
// and send requests with the certificate. Rather than a second port for the inspector, every
// forwarded answer a browser could render as a document gets `Content-Security-Policy:
// sandbox`, which gives it an opaque origin of its own and runs no script. Only requests a
// browser made (they carry Sec-Fetch-* headers) are touched: curl, Postman and every
// integration get the upstream's bytes and headers unchanged.
import type { FastifyRequest } from 'fastify';
import type { ProxyFeature } from '../proxy/feature.js';

const SANDBOX_POLICY = 'sandbox';

// Types a browser renders as a document that can hold script.
const DOCUMENT_TYPES = new Set(['text/html', 'application/xhtml+xml', 'image/svg+xml', 'text/xml', 'application/xml', 'text/xsl', 'multipart/x-mixed-replace']);
// Types a browser sniffs, and may then render as HTML.
const SNIFFED_TYPES = new Set(['', 'unknown/unknown', 'application/unknown', '*/*']);

/** Whether an answer of this Content-Type could run script when a browser opens it (an absent or unparsable type included). */
export function mayRenderAsDocument(contentType: string | number | string[] | undefined): boolean {
  if (contentType === undefined) return true;
  const types = (Array.isArray(contentType) ? contentType.join(',') : String(contentType)).split(',');
  return types.some((type) => {
    const essence = (type.split(';')[0] ?? '').trim().toLowerCase();
    return DOCUMENT_TYPES.has(essence) || SNIFFED_TYPES.has(essence) || essence.endsWith('+xml') || !/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(essence);
  });
}

/** Browsers send Sec-Fetch-* with every request (Chromium 76, Firefox 90, Safari 16.4 and later); other clients do not. */
export function sentByBrowser(request: FastifyRequest): boolean {
  const headers = request.headers;
  return headers['sec-fetch-site'] !== undefined || headers['sec-fetch-mode'] !== undefined || headers['sec-fetch-dest'] !== undefined;
}

/** Sandboxes every forwarded answer a browser could render, so it never shares the inspector's origin. */
export function forwardedDocumentSandbox(): ProxyFeature {
  return {
    name: 'document-sandbox',
    phase: 'observe',
    observeUpstreamResponse(request, reply) {
      if (!sentByBrowser(request) || !mayRenderAsDocument(reply.getHeader('content-type'))) return;
      // A policy of the upstream's own stays: the browser enforces every policy it gets.
      const upstreamPolicy = reply.getHeader('content-security-policy');
      const policies = upstreamPolicy === undefined ? [] : Array.isArray(upstreamPolicy) ? upstreamPolicy : [String(upstreamPolicy)];
      reply.header('content-security-policy', policies.length === 0 ? SANDBOX_POLICY : [...policies, SANDBOX_POLICY]);
    },
  };
}
