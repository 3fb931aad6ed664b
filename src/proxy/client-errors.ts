// Requests the proxy cannot or will not serve, mapped to problem+json like every other
// error it produces: broken HTTP that Node's parser rejects before fastify sees it,
// CONNECT tunnels, methods no route takes, and fastify's own request errors.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyError } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemBody, type Problem } from './problem.js';

/** Requests whose headers outgrow this get 431; Node's default, stated here so tests and docs can rely on it. */
export const MAX_HEADER_BYTES = 16 * 1024;

interface ParserError extends Error {
  code?: string;
}

// Node keeps the response being written on the socket; its own clientError default checks it the same way.
type ServerSocket = Socket & { _httpMessage?: ServerResponse | null };

/** fastify's clientErrorHandler: answers what Node's HTTP parser rejected, then closes that connection only. */
export function answerClientError(error: ParserError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  // A response already under way on this connection cannot be followed by another status line.
  if ((socket as ServerSocket)._httpMessage?.headersSent) {
    socket.destroy();
    return;
  }
  socket.end(rawProblemResponse(problemForParserError(error.code ?? '')));
}

/** HTTPS_PROXY-style clients ask for a tunnel; the proxy cannot add the certificate inside one. */
export function refuseTunnel(request: IncomingMessage, socket: Duplex): void {
  socket.on('error', () => socket.destroy());
  socket.end(
    rawProblemResponse({
      status: 405,
      code: 'tunnel_not_supported',
      title: 'CONNECT tunnels are not supported',
      detail:
        `The proxy cannot add your certificate inside an HTTPS tunnel (CONNECT ${String(request.url).slice(0, 100)}). ` +
        'Send plain HTTP to the proxy instead: http://localhost:<port>/<path>, or use an http:// URL with HTTP_PROXY.',
    }, { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' }),
  );
}

function problemForParserError(code: string): Problem {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return problem(431, 'headers_too_large', `The request line and headers exceed ${MAX_HEADER_BYTES / 1024} KB; send fewer or shorter headers.`);
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return problem(400, 'bad_content_length', 'The Content-Length header is not a single valid number, or contradicts Transfer-Encoding.');
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return problem(400, 'bad_transfer_encoding', 'Transfer-Encoding must end in chunked, and never comes together with Content-Length.');
    case 'HPE_INVALID_CHUNK_SIZE':
      return problem(400, 'bad_chunked_body', 'The chunked request body is malformed.');
    case 'HPE_INVALID_HEADER_TOKEN':
      return problem(400, 'bad_header', 'A header name or value contains characters HTTP does not allow.');
    case 'HPE_INVALID_METHOD':
    case 'HPE_INVALID_URL':
    case 'HPE_INVALID_VERSION':
    case 'HPE_INVALID_CONSTANT':
      return problem(400, 'bad_request_line', 'The request line is not "METHOD /path HTTP/1.1" with a standard method.');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return problem(413, 'chunk_extensions_too_large', 'The chunked body carries too much chunk-extension data.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return problem(408, 'request_timeout', 'The request did not arrive completely in time.');
    default:
      return problem(400, 'malformed_request', `The request is not valid HTTP/1.1 (${code || 'parse error'}).`);
  }
}

function problem(status: number, code: string, detail: string): Problem {
  return { status, code, title: STATUS_CODES[status] ?? 'Bad Request', detail };
}

/** A complete HTTP/1.1 response for a connection that fastify never handled; it closes the connection. */
function rawProblemResponse(problem: Problem, extraHeaders: Readonly<Record<string, string>> = {}): string {
  const body = problemBody(problem, randomUUID());
  const headers = {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    connection: 'close',
    ...extraHeaders,
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n${lines.join('')}\r\n${body}`;
}

/** fastify's frameworkErrors: a request target its router cannot take ("ftp://x", "/%zz"). */
export function problemForFrameworkError(error: FastifyError): Problem {
  if (error.code === 'FST_ERR_BAD_URL') {
    return { status: 400, code: 'bad_request_target', title: 'Bad Request', detail: 'The request target is not a valid path: send a path such as /t/clients with valid %-escapes, or an http:// URL.' };
  }
  return problemForRequestError(error);
}

/** fastify's own request errors (bad bodies on admin routes, bad URLs): client errors say what was wrong, internal ones stay internal. */
export function problemForRequestError(error: FastifyError): Problem {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) {
    return { status, code: 'proxy_internal_error', title: 'Internal proxy error', detail: 'The proxy failed while handling this request; the traffic record holds the details.' };
  }
  // fastify's 4xx messages describe the request, never the proxy's internals.
  return { status, code: 'bad_request', title: STATUS_CODES[status] ?? 'Bad Request', detail: error.message };
}

/** No route takes this method (the forwarder takes every method the Ons API uses on any path). */
export function methodNotSupported(method: string, allowed: readonly string[]): Problem {
  return {
    status: 405,
    code: 'method_not_supported',
    title: 'Method not supported',
    detail: `The proxy forwards ${allowed.join(', ')}; ${method.slice(0, 20)} is not one of them.`,
  };
}
