import net from 'node:net';
import tls from 'node:tls';

export interface HandshakeReport {
  readonly protocol: string | null;
  readonly cipher: string;
  /** The upstream server certificate's subject, one line. */
  readonly serverSubject: string;
  /**
   * False when the server ended the connection with a TLS alert after seeing the client
   * certificate (TLS 1.3 servers say so only after the handshake). A server that accepts it
   * at the TLS level may still refuse it over HTTP (Ons: 495).
   */
  readonly clientCertificateAccepted: boolean;
  /** The status the server answered a GET /ping on that connection with, when it answered. */
  readonly httpStatus?: number;
  readonly alert?: string;
}

export class HandshakeFailure extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'untrusted-server' | 'refused-client-certificate' | 'other',
  ) {
    super(message);
  }
}

const SERVER_VERIFICATION_CODES = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|HOSTNAME/;

/**
 * Connects to the upstream the way the proxy does (same secure context, SNI, verification),
 * then sends one GET /ping on the raw connection: only then does a TLS 1.3 server tell
 * whether it accepted the client certificate.
 */
export function probeHandshake(upstream: string, secureContext: tls.SecureContext, timeoutMs: number): Promise<HandshakeReport> {
  const url = new URL(upstream);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = Number(url.port || 443);
  return new Promise((resolve, reject) => {
    let connected: Omit<HandshakeReport, 'clientCertificateAccepted'> | undefined;
    let response = '';
    const socket = tls.connect({
      host,
      port,
      secureContext,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      ...(net.isIP(host) ? {} : { servername: host }),
    });
    socket.setTimeout(timeoutMs, () => socket.destroy(new HandshakeFailure(`No answer from ${url.host} within ${timeoutMs} ms: check the network, a VPN or a firewall (ONS_PROXY_CONNECT_TIMEOUT_MS).`, 'unreachable')));
    socket.once('secureConnect', () => {
      const peer = socket.getPeerCertificate();
      connected = {
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().standardName,
        serverSubject: Object.entries(peer.subject ?? {}).map(([name, value]) => `${name}=${String(value)}`).join(', '),
      };
      socket.write(`GET /ping HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/plain, */*\r\nUser-Agent: ons-proxy-check\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      response += chunk.toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1];
      if (status && connected) {
        resolve({ ...connected, clientCertificateAccepted: true, httpStatus: Number(status) });
        socket.destroy();
      }
    });
    socket.once('error', (error: Error & { code?: string }) => {
      if (connected) {
        resolve({ ...connected, clientCertificateAccepted: false, alert: error.message });
        return;
      }
      reject(describeFailure(error, url.host));
    });
    socket.once('close', () => {
      if (connected) resolve({ ...connected, clientCertificateAccepted: response.length > 0, ...(response ? {} : { alert: 'the server closed the connection without answering' }) });
    });
  });
}

function describeFailure(error: Error & { code?: string }, where: string): HandshakeFailure {
  if (error instanceof HandshakeFailure) return error;
  const code = error.code ?? '';
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT'].includes(code)) {
    return new HandshakeFailure(`Cannot reach ${where} (${code}): check the upstream URL, the network, a VPN or a proxy in between.`, 'unreachable');
  }
  if (/ALERT/.test(code)) {
    return new HandshakeFailure(`${where} refused the client certificate during the handshake (${error.message}): it is not signed by the CA this server trusts, or not meant for it.`, 'refused-client-certificate');
  }
  if (SERVER_VERIFICATION_CODES.test(code)) {
    return new HandshakeFailure(
      `The server certificate of ${where} is not trusted (${code}: ${error.message}): set ONS_PROXY_CA to the CA chain file of this environment (Ons publishes one per environment), or check ONS_PROXY_UPSTREAM.`,
      'untrusted-server',
    );
  }
  return new HandshakeFailure(`TLS handshake with ${where} failed (${code || error.message}): ${error.message}.`, 'other');
}
