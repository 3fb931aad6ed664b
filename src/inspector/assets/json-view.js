// A JSON body as a collapsible tree, built from the body's own text: values read as recorded
// (int64 ids, 1.0, escapes), and only what is opened is looked at. A container shows its first
// entries and a button for the next ones, so a body of many megabytes opens at once.
import { el } from './dom.js';
import { entriesOf, skipSpace, skipValue } from './json-text.js';

const PAGE = 200;
// Records hold JSON at most this deep (deeper bodies are recorded as text); the bound keeps
// the page safe with any record it is given.
const MAX_DEPTH = 100;
const LONG_VALUE = 10_000;
const OPEN_BELOW_BYTES = 256 * 1024;

export function jsonView(text) {
  const start = skipSpace(text, 0);
  return el('div', { class: 'json body' }, node(text, { key: undefined, start, end: skipValue(text, start) }, 0));
}

function keyLabel(key) {
  return key === undefined ? [] : [el('span', { class: 'key', text: JSON.stringify(key) }), ': '];
}

function leaf(text, entry) {
  const raw = text.slice(entry.start, entry.end);
  const first = raw[0];
  const type = first === '"' ? 'string' : first === 't' || first === 'f' ? 'boolean' : first === 'n' ? 'null' : 'number';
  if (raw.length <= LONG_VALUE) return el('div', { class: 'entry' }, ...keyLabel(entry.key), el('span', { class: type, text: raw }));
  const value = el('span', { class: type, text: `${raw.slice(0, LONG_VALUE)}…` });
  const all = el('button', { type: 'button', class: 'link', text: `show all ${raw.length.toLocaleString('en-US')} characters` });
  all.addEventListener('click', () => {
    value.textContent = raw;
    all.remove();
  });
  return el('div', { class: 'entry' }, ...keyLabel(entry.key), value, ' ', all);
}

function sizeText(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${(bytes / 1024).toFixed(0)} KB`;
}

function node(text, entry, depth) {
  const open = text[entry.start];
  if (open !== '{' && open !== '[') return leaf(text, entry);
  const label = keyLabel(entry.key);
  if (depth >= MAX_DEPTH) return el('div', { class: 'entry' }, ...label, el('span', { class: 'hint', text: `nested deeper than ${MAX_DEPTH} levels: see the raw record` }));
  const array = open === '[';
  const bytes = entry.end - entry.start;
  const hint = el('span', { class: 'hint', text: bytes > 64 * 1024 ? ` ${sizeText(bytes)} ` : ` ${countText(text, entry.start, array)} ` });
  const details = el('details', {}, el('summary', {}, ...label, open, hint, array ? ']' : '}'));
  let shown = 0;
  let more;
  // Children are read from the text when first opened, a page at a time.
  const fill = () => {
    const { entries, more: hasMore } = entriesOf(text, entry.start, shown + PAGE);
    more?.remove();
    details.append(...entries.slice(shown).map((child) => node(text, child, depth + 1)));
    shown = entries.length;
    if (hasMore) {
      more = el('button', { type: 'button', class: 'link more', text: `show the next ${PAGE} (${shown.toLocaleString('en-US')} shown)` });
      more.addEventListener('click', fill);
      details.append(more);
    } else if (bytes > 64 * 1024) {
      hint.textContent = ` ${countText(text, entry.start, array)}, ${sizeText(bytes)} `;
    }
  };
  if (depth < 3 && (depth === 0 || bytes < OPEN_BELOW_BYTES)) {
    details.open = true;
    fill();
  } else {
    details.addEventListener('toggle', () => {
      if (details.open && shown === 0) fill();
    });
  }
  return details;
}

function countText(text, start, array) {
  const { entries } = entriesOf(text, start);
  return `${entries.length.toLocaleString('en-US')} ${array ? 'items' : 'keys'}`;
}
