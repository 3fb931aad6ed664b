import http from 'node:http';
import type { ExchangeSummary } from '../../src/inspector/inspector.js';
import type { RunningInstance } from '../../src/instance/start-instance.js';

export interface EventStreamClient {
  /** Every exchange event so far. */
  readonly events: ExchangeSummary[];
  /** Everything received, as text. */
  raw(): string;
  next(): Promise<ExchangeSummary>;
  close(): void;
}

/** Opens /__proxy/events like a browser's EventSource and collects the exchange events. */
export function openEvents(proxy: RunningInstance): Promise<EventStreamClient> {
  return new Promise((resolve, reject) => {
    const events: ExchangeSummary[] = [];
    const waiters: Array<(event: ExchangeSummary) => void> = [];
    const req = http.get(`${proxy.url}/__proxy/events`, { headers: { accept: 'text/event-stream' } }, (res) => {
      if (!String(res.headers['content-type']).startsWith('text/event-stream')) reject(new Error(`not an event stream: ${res.headers['content-type']}`));
      let buffer = '';
      let raw = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        raw += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (/^event: exchange$/m.test(block) && data) {
            const event = JSON.parse(data) as ExchangeSummary;
            events.push(event);
            waiters.shift()?.(event);
          }
        }
      });
      resolve({
        events,
        raw: () => raw,
        next: () => new Promise((done) => waiters.push(done)),
        close: () => req.destroy(),
      });
    });
    req.on('error', (error) => (error.message === 'socket hang up' ? undefined : reject(error)));
  });
}
