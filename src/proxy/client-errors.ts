// Requests the proxy cannot or will not serve, mapped to problem+json like every other
// error it produces: broken HTTP that Node's parser rejects before fastify sees it,
// CONNECT tunnels, methods no route takes, and fastify's own request errors.
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyError } from 'fastify';
import { PROBLEM_CONTENT_TYPE, problemBody, sendProblem, type Problem } from './problem.js';
import { linkedReply, type RawRefusal, type ReportRefusal } from './raw-refusal.js';

/** Requests whose headers outgrow this get 431; Node's default, stated here so tests and docs can rely on it. */
export const MAX_HEADER_BYTES = 16 * 1024;

interface ParserError extends Error {
  code?: string;
}

// Node keeps the response being written on the socket; its own clientError default checks it the same way.
type ServerSocket = Socket & { _httpMessage?: ServerResponse | null };

interface ParserErrorDetails extends ParserError {
  /** The bytes Node could not parse: a Buffer from Node's parser (fastify's types describe its JSON form). */
  rawPacket?: unknown;
}

/**
 * fastify's clientErrorHandler: answers what Node's HTTP parser rejected, then closes that
 * connection only. A request whose head was read already (a bad chunk or trailer in its
 * body) is an exchange under way: it gets its answer, and its record says so, through it.
 */
export function answerClientError(error: ParserErrorDetails, socket: Socket, report: ReportRefusal): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const response = (socket as ServerSocket)._httpMessage;
  // A response already under way on this connection cannot be followed by another status line.
  if (response?.headersSent) {
    socket.destroy();
    return;
  }
  const problem = problemForParserError(error.code ?? '');
  const reply = linkedReply(response);
  if (reply && !reply.sent) {
    sendProblem(reply.header('connection', 'close'), problem);
    // The body will never be complete: the upstream must not wait for it, nor this connection for more.
    reply.request.exchange.upstreamCall?.cancel(Object.assign(new Error(`the request body was malformed (${error.code ?? 'parse error'})`), { code: error.code }));
    reply.raw.once('finish', () => socket.end());
    return;
  }
  const { method, url } = requestLine(error.rawPacket);
  socket.end(rawProblemResponse(problem, { method, url, requestHeaders: {} }, report));
}

/** HTTPS_PROXY-style clients ask for a tunnel; the proxy cannot add the certificate inside one. */
export function refuseTunnel(request: IncomingMessage, socket: Duplex, report: ReportRefusal): void {
  socket.on('error', () => socket.destroy());
  const problem: Problem = {
    status: 405,
    code: 'tunnel_not_supported',
    title: 'CONNECT tunnels are not supported',
    detail:
      `The proxy cannot add your certificate inside an HTTPS tunnel (CONNECT ${String(request.url).slice(0, 100)}). ` +
      'Send plain HTTP to the proxy instead: http://localhost:<port>/<path>, or use an http:// URL with HTTP_PROXY.',
  };
  const answered = { method: request.method ?? 'CONNECT', url: request.url ?? '', requestHeaders: request.headers };
  socket.end(rawProblemResponse(problem, answered, report, { allow: 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS' }));
}

/** The method and target of a request line, as far as they can be read from the bytes Node rejected. */
function requestLine(packet: unknown): { method: string; url: string } {
  const text = Buffer.isBuffer(packet) ? packet.subarray(0, 8300).toString('latin1') : '';
  const line = /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}) (\S{1,8192})/.exec(text);
  return { method: line?.[1] ?? '', url: line?.[2] ?? '' };
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

/**
 * A complete HTTP/1.1 response for a connection that fastify never handled; it closes the
 * connection. Its id is in the answer and in the record `report` makes of it.
 */
function rawProblemResponse(
  problem: Problem,
  request: Pick<RawRefusal, 'method' | 'url' | 'requestHeaders'>,
  report: ReportRefusal,
  extraHeaders: Readonly<Record<string, string>> = {},
): string {
  const id = randomUUID();
  const body = problemBody(problem, id);
  const headers = {
    'content-type': PROBLEM_CONTENT_TYPE,
    'content-length': String(Buffer.byteLength(body)),
    'cache-control': 'no-store',
    connection: 'close',
    'x-request-id': id,
    ...extraHeaders,
  };
  report({ id, startedAt: Date.now(), ...request, problem, responseHeaders: headers, responseBody: body });
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? ''}\r\n${lines.join('')}\r\n${body}`;
}

/** fastify's frameworkErrors: a request target its router cannot take ("ftp://x", "/%zz"). */
export function problemForFrameworkError(error: FastifyError): Problem {
  if (error.code === 'FST_ERR_BAD_URL') {
    return { status: 400, code: 'bad_request_target', title: 'Bad Request', detail: 'The request target is not a valid path: send a path such as /t/clients with valid %-escapes, or an http:// URL.' };
  }
  // An exchange the router could not take is still recorded (see frameworkErrors in app.ts).
  return problemForRequestError(error, true);
}

/** fastify's own request errors (bad bodies on admin routes, bad URLs): client errors say what was wrong, internal ones stay internal. */
export function problemForRequestError(error: FastifyError, recorded: boolean): Problem {
  const status = error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  if (status === 500) {
    // Requests to the proxy's own pages are never recorded: their failure is in the console instead.
    const details = recorded ? 'the traffic record holds the details' : "the proxy's console output holds the details (requests to its own pages under /__proxy/ are not recorded)";
    return { status, code: 'proxy_internal_error', title: 'Internal proxy error', detail: `The proxy failed while handling this request; ${details}.` };
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
