import type { Problem } from './problem.js';

interface ErrorWithCode extends Error {
  code?: string;
  cause?: unknown;
}

/** The innermost error that carries a code: undici wraps the socket's error. */
export function rootCause(error: unknown): ErrorWithCode {
  let current = error as ErrorWithCode;
  let best = current;
  for (let depth = 0; current && depth < 6; depth++) {
    if (current.code && !current.code.startsWith('FST_')) best = current;
    if (!(current.cause instanceof Error)) break;
    current = current.cause as ErrorWithCode;
  }
  return best;
}

const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REJECTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'INVALID_CA',
]);

// Alerts the server sends when it rejects our client certificate. Under TLS 1.3 they
// arrive after our side thinks the handshake is done, as an error on the first read.
const CLIENT_CERT_REFUSED = /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|UNSUPPORTED_CERTIFICATE|ACCESS_DENIED|HANDSHAKE_FAILURE|DECRYPT_ERROR)/;

export interface UpstreamFailure extends Problem {
  readonly cause: { code: string; message: string };
}

/** Maps a failed upstream exchange to a problem a developer can act on. */
export function describeUpstreamFailure(error: unknown, upstream: string): UpstreamFailure {
  const root = rootCause(error);
  const code = root.code ?? 'UNKNOWN';
  const cause = { code, message: root.message };
  const host = safeHost(upstream);
  const problem = (status: number, problemCode: string, title: string, detail: string): UpstreamFailure => ({ status, code: problemCode, title, detail, cause });

  if (UNTRUSTED_CODES.has(code)) {
    return problem(502, 'upstream_certificate_untrusted', 'Upstream certificate not trusted',
      `The certificate of ${host} did not verify (${code}). If this upstream uses a private CA, add its chain with ONS_PROXY_CA; the proxy never skips verification.`);
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return problem(502, 'upstream_hostname_mismatch', 'Upstream certificate is for another host',
      `The certificate of ${host} does not name that host (${root.message}). Check ONS_PROXY_UPSTREAM.`);
  }
  if (CLIENT_CERT_REFUSED.test(code) || CLIENT_CERT_REFUSED.test(root.message)) {
    return problem(502, 'client_certificate_refused', 'Upstream refused the client certificate',
      `${host} rejected the client certificate during the TLS handshake (${code}). Check that ONS_PROXY_CERT is the certificate issued for this environment and not expired; run \`ons-proxy check\`.`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return problem(502, 'upstream_dns_failure', 'Upstream host not found',
      `The host name ${host} could not be resolved (${code}). Check ONS_PROXY_UPSTREAM and your network or DNS.`);
  }
  if (code === 'ECONNREFUSED') {
    return problem(502, 'upstream_connection_refused', 'Upstream refused the connection',
      `Nothing accepted the connection at ${host} (ECONNREFUSED). Check ONS_PROXY_UPSTREAM and that the server is running.`);
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ETIMEDOUT') {
    return problem(504, 'upstream_connect_timeout', 'Upstream connection timed out',
      `No TLS connection to ${host} within ONS_PROXY_CONNECT_TIMEOUT_MS. Check the network path to the upstream.`);
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'FST_REPLY_FROM_GATEWAY_TIMEOUT') {
    return problem(504, 'upstream_response_timeout', 'Upstream response timed out',
      `${host} did not answer within ONS_PROXY_TIMEOUT_MS. Raise it for slow endpoints, or retry later.`);
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE' || code === 'UND_ERR_CLOSED') {
    return problem(502, 'upstream_connection_reset', 'Upstream closed the connection',
      `${host} closed the connection before sending a complete response (${code}: ${root.message}).`);
  }
  // undici's parser errors reach us without their HPE_ code (only the message says so), and a
  // header it cannot parse after Content-Length surfaces as a length mismatch.
  const parserFailure = root.message.startsWith('Response does not match the HTTP/1.1 protocol') || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH';
  if (parserFailure || code.startsWith('HPE_') || code === 'UND_ERR_INFO' || code === 'UND_ERR_RESPONSE_STATUS_CODE') {
    return problem(502, 'upstream_protocol_error', 'Upstream sent an invalid response',
      `${host} answered with a malformed HTTP response (${code}).`);
  }
  return problem(502, 'upstream_error', 'Upstream request failed', `The request to ${host} failed (${code}: ${root.message}).`);
}

function safeHost(upstream: string): string {
  try {
    return new URL(upstream).host;
  } catch {
    return upstream;
  }
}
