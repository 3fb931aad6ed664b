// The history search: the box's query asked of the day files on the server, a page at a time,
// newest first. The next page is asked for as soon as one arrives, so the search runs until
// the files are read, the list holds enough, or it is stopped; the status line shows how far it got.
import { $, el, plural } from './dom.js';

const MAX_ROWS = 500_000;
const FIRST_PAGE = 200;

export class HistorySearch {
  /** `onRows(rows, done)` gets every row found so far (newest first). */
  constructor({ onRows }) {
    this.onRows = onRows;
    this.controller = undefined;
    this.rows = [];
  }

  get running() {
    return this.controller !== undefined;
  }

  async start(text) {
    this.stop();
    const controller = new AbortController();
    this.controller = controller;
    this.rows = [];
    this.text = text;
    const status = $('#history-status');
    let cursor;
    try {
      for (;;) {
        // A small first page: the first rows show at once; the later pages are larger.
        const url = `/__proxy/api/history?q=${encodeURIComponent(text)}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : `&limit=${FIRST_PAGE}`}`;
        const response = await fetch(url, { signal: controller.signal, cache: 'no-store' });
        const page = await response.json();
        if (!response.ok) {
          this.#finish(controller);
          return { error: page.error };
        }
        this.rows.push(...page.matches);
        cursor = page.next;
        const percent = page.totalBytes ? Math.floor((100 * page.readBytes) / page.totalBytes) : 100;
        const done = cursor === null || this.rows.length >= MAX_ROWS;
        status.replaceChildren(
          el('span', { id: 'history-progress', text: done
            ? `History: ${plural(this.rows.length, 'exchange')} found in ${megabytes(page.readBytes)}${cursor !== null ? `; stopped at ${plural(MAX_ROWS, 'row')}, narrow the filter for the rest` : ''}.`
            : `Searching the history: ${plural(this.rows.length, 'exchange')} found, ${percent}% of ${megabytes(page.totalBytes)} read…` }),
          done ? null : el('button', { id: 'history-cancel', type: 'button', text: 'Stop', onclick: () => this.stop() }),
        );
        this.onRows(this.rows, done);
        if (done) break;
      }
    } catch (error) {
      if (error.name !== 'AbortError') status.replaceChildren(el('span', { class: 'note', text: `The history search failed: ${error.message}` }));
    }
    this.#finish(controller);
    return {};
  }

  #finish(controller) {
    if (this.controller === controller) this.controller = undefined;
  }

  stop() {
    if (!this.controller) return;
    this.controller.abort();
    this.controller = undefined;
    $('#history-status').replaceChildren(el('span', { id: 'history-progress', text: `History: stopped; ${plural(this.rows.length, 'exchange')} found so far.` }));
    this.onRows(this.rows, true);
  }
}

function megabytes(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
