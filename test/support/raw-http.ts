// Raw HTTP over a socket, to send what well-behaved clients never send and to see what a
// client really gets on the wire, and the problem document of a response.
import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything the proxy sent, as latin1 text. */
  raw: string;
  /** The proxy closed the connection after this response. */
  closed: boolean;
}

/** Parses one HTTP/1.1 response from the front of `text`; undefined while incomplete. */
function parseResponse(text: string, ended: boolean): Omit<RawResponse, 'closed'> | undefined {
  const headerEnd = text.indexOf('\r\n\r\n');
  if (headerEnd === -1) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, headerEnd).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const bodyText = text.slice(headerEnd + 4);
  const length = headers['content-length'];
  if (length !== undefined && bodyText.length < Number(length)) return undefined;
  if (length === undefined && headers['transfer-encoding'] === undefined && !ended && !/^HTTP\/1\.1 (204|304)/.test(statusLine)) return undefined;
  const body = length !== undefined ? bodyText.slice(0, Number(length)) : bodyText;
  return { status: Number(statusLine.split(' ')[1]), headers, body, raw: text };
}

/**
 * Writes `text` as is to the proxy and reads one response. Resolves when the response is
 * complete and the proxy either closed the connection or kept it open for 100 ms more.
 */
export function rawRequest(proxyUrl: string, text: string | Buffer): Promise<RawResponse> {
  const url = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname.replace(/^\[|\]$/g, ''), () => socket.write(text));
    let received = '';
    let settleTimer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean): void => {
      clearTimeout(settleTimer);
      const parsed = parseResponse(received, true);
      socket.destroy();
      if (!parsed) reject(new Error(`no complete response; received ${JSON.stringify(received.slice(0, 200))}`));
      else resolve({ ...parsed, closed });
    };
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (parseResponse(received, false)) {
        clearTimeout(settleTimer);
        settleTimer = setTimeout(() => finish(false), 100);
      }
    });
    socket.on('close', () => finish(true));
    socket.on('error', () => undefined);
  });
}

/** Writes `text` as is and returns everything the proxy sent until it closed the connection: what a client really sees on the wire. */
export function rawUntilClose(proxyUrl: string, text: string): Promise<string> {
  const url = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname.replace(/^\[|\]$/g, ''), () => socket.write(text));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

/** The problem document of a response, checking it is one. */
export function problemOf(response: { headers: Record<string, string | string[] | undefined>; body: string }): Record<string, unknown> {
  const type = response.headers['content-type'];
  if (typeof type !== 'string' || !type.startsWith('application/problem+json')) {
    throw new Error(`expected application/problem+json, got ${String(type)}: ${response.body.slice(0, 200)}`);
  }
  return JSON.parse(response.body) as Record<string, unknown>;
}
