// Server-sent events to the open inspector pages: one `exchange` event per new record.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

// Proxies and browsers drop quiet connections; a comment line now and then keeps it open.
const HEARTBEAT_MS = 20_000;

export class EventStream {
  readonly #clients = new Set<ServerResponse>();
  #heartbeat: NodeJS.Timeout | undefined;

  /** Takes over the reply and keeps it open until the page or the proxy goes away. */
  open(reply: FastifyReply): void {
    reply.hijack();
    const response = reply.raw;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-request-id': reply.request.id,
      'x-accel-buffering': 'no',
    });
    response.write('retry: 2000\n: connected\n\n');
    this.#clients.add(response);
    response.once('close', () => {
      this.#clients.delete(response);
      if (this.#clients.size === 0) this.#stopHeartbeat();
    });
    this.#heartbeat ??= setInterval(() => this.#broadcast(': keep-alive\n\n'), HEARTBEAT_MS).unref();
  }

  send(event: string, data: unknown): void {
    if (this.#clients.size > 0) this.#broadcast(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Ends every stream, so that the proxy can close without waiting for open pages. */
  closeAll(): void {
    this.#stopHeartbeat();
    for (const client of this.#clients) client.end();
    this.#clients.clear();
  }

  #broadcast(text: string): void {
    // A slow page gets its events buffered by Node; one that stopped reading is dropped.
    for (const client of this.#clients) {
      if (client.writableLength > 8 * 1024 * 1024) client.destroy();
      else client.write(text);
    }
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }
}
