// The list of exchanges, rendered in a window: only the rows in view (and a few around them)
// are in the page, between two spacer rows that keep the scroll height of the whole list. A
// hundred thousand rows scroll as lightly as a hundred.
import { el, localTime, statusText } from './dom.js';
import { badgesOf } from './badges.js';

export const ROW_HEIGHT = 24;
const OVERSCAN = 10;

// A summary's `repeated` is the number of identical refusals it stands for.
function listStatusText(exchange) {
  return exchange.repeated ? `${statusText(exchange)} \u00d7${exchange.repeated.toLocaleString('en-US')}` : statusText(exchange);
}

export class VirtualList {
  /** `onOpen(exchange)` opens one; `picked` is the set of ids ticked for Save as fixtures. */
  constructor({ pane, tbody, onOpen, onPick, picked }) {
    this.pane = pane;
    this.tbody = tbody;
    this.onOpen = onOpen;
    this.onPick = onPick;
    this.picked = picked;
    this.rows = [];
    this.cursor = -1;
    this.selectedId = undefined;
    this.scheduled = false;
    pane.addEventListener('scroll', () => this.schedule(), { passive: true });
    new ResizeObserver(() => this.schedule()).observe(pane);
  }

  setRows(rows) {
    const cursorId = this.rows[this.cursor]?.id;
    this.rows = rows;
    this.cursor = cursorId === undefined ? -1 : rows.findIndex((row) => row.id === cursorId);
    this.schedule();
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  render() {
    const header = this.pane.querySelector('thead')?.offsetHeight ?? 0;
    const top = Math.max(0, this.pane.scrollTop - header);
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
    const count = Math.ceil(this.pane.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
    const last = Math.min(this.rows.length, first + count);
    const spacer = (rows) => {
      const row = el('tr', { class: 'spacer', 'aria-hidden': 'true' });
      // Through the style object: the page's policy refuses style attributes.
      row.style.height = `${rows * ROW_HEIGHT}px`;
      return row;
    };
    const visible = [];
    for (let index = first; index < last; index++) visible.push(this.row(this.rows[index], index));
    this.tbody.replaceChildren(spacer(first), ...visible, spacer(this.rows.length - last));
  }

  row(exchange, index) {
    let row;
    try {
      row = this.fullRow(exchange);
    } catch {
      // A summary this page cannot read (an odd record): its raw JSON, still openable.
      row = el('tr', { 'data-id': String(exchange?.id ?? ''), class: 'odd' }, el('td', { colspan: '6', class: 'url', text: JSON.stringify(exchange) }));
    }
    if (exchange?.id === this.selectedId) row.classList.add('selected');
    if (index === this.cursor) row.classList.add('cursor');
    row.addEventListener('click', () => {
      this.cursor = index;
      this.onOpen(exchange);
    });
    return row;
  }

  fullRow(exchange) {
    const klass = `s${Math.floor(exchange.status / 100)}`;
    const badges = badgesOf(exchange).map((badge) => el('span', { class: `badge badge-${badge.kind}`, text: badge.text, title: badge.title }));
    const box = el('input', { type: 'checkbox', class: 'pick', 'data-id': exchange.id, 'aria-label': `Select ${exchange.method} ${exchange.url}`, onclick: (event) => event.stopPropagation() });
    box.checked = this.picked.has(exchange.id);
    box.addEventListener('change', () => this.onPick(exchange.id, box.checked));
    return el('tr', { 'data-id': exchange.id },
      el('td', { text: localTime(exchange.time), title: exchange.time }),
      el('td', { text: exchange.method }),
      el('td', { class: exchange.aborted || exchange.error ? 's0' : klass, text: listStatusText(exchange), title: exchange.error || exchange.hint || (exchange.repeated ? `${exchange.repeated} identical refusals` : '') }),
      el('td', { class: 'num', text: exchange.durationMs.toFixed(1), title: exchange.queuedMs ? `${exchange.queuedMs.toFixed(1)} ms of it waiting for a slot` : '' }),
      // Badges first: a long URL is cut at the cell's end, and they must stay in view.
      el('td', { class: 'url', title: exchange.url },
        ...badges.flatMap((badge) => [badge, ' ']),
        exchange.url,
        exchange.operation ? el('span', { class: 'operation', text: ` ${exchange.operation}`, title: exchange.operationSummary ?? '' }) : null,
      ),
      el('td', {}, box),
    );
  }

  /** Moves the keyboard cursor by `step` rows and keeps it in view. */
  move(step) {
    if (this.rows.length === 0) return;
    this.cursor = Math.min(this.rows.length - 1, Math.max(0, this.cursor + step));
    const header = this.pane.querySelector('thead')?.offsetHeight ?? 0;
    const rowTop = header + this.cursor * ROW_HEIGHT;
    if (rowTop - header < this.pane.scrollTop) this.pane.scrollTop = rowTop - header;
    else if (rowTop + ROW_HEIGHT > this.pane.scrollTop + this.pane.clientHeight) this.pane.scrollTop = rowTop + ROW_HEIGHT - this.pane.clientHeight;
    this.render();
  }

  get current() {
    return this.rows[this.cursor];
  }

  select(id) {
    this.selectedId = id;
    for (const tr of this.tbody.rows) tr.classList.toggle('selected', tr.dataset.id === id);
  }
}
