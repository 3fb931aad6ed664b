// A summary of the exchanges the list shows: status classes, calls and p50/p95 per operation,
// and what the badges mark, counted.
import { el, formatMs, plural } from './dom.js';
import { badgesOf } from './badges.js';

function percentile(sorted, fraction) {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

/** Who an exchange was, for grouping: the operation id, or the method and path without the query. */
function operationKey(exchange) {
  return exchange.operation ?? `${exchange.method} ${exchange.url.split('?')[0]}`;
}

export function summarize(exchanges) {
  const classes = new Map();
  const operations = new Map();
  const retired = new Map();
  const kinds = new Map();
  let findings = 0;
  for (const exchange of exchanges) {
    const klass = exchange.status === 0 ? 'no response' : `${Math.floor(exchange.status / 100)}xx`;
    classes.set(klass, (classes.get(klass) ?? 0) + (exchange.repeated ?? 1));
    const key = operationKey(exchange);
    const durations = operations.get(key) ?? [];
    // Number(): an odd record from an older version must not stop the summary.
    durations.push(Number(exchange.durationMs) || 0);
    operations.set(key, durations);
    findings += exchange.findings ?? 0;
    for (const badge of badgesOf(exchange)) kinds.set(badge.kind, (kinds.get(badge.kind) ?? 0) + 1);
    if (exchange.retired) {
      const label = `${exchange.retired.removed ? 'removed' : 'deprecated'}: ${exchange.method} ${exchange.url.split('?')[0]} → ${exchange.retired.replacedBy ?? 'no replacement named'}`;
      retired.set(label, (retired.get(label) ?? 0) + 1);
    }
  }
  const perOperation = [...operations.entries()]
    .map(([operation, durations]) => {
      const sorted = durations.sort((a, b) => a - b);
      return { operation, calls: sorted.length, p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95) };
    })
    .sort((a, b) => b.calls - a.calls || a.operation.localeCompare(b.operation));
  return { total: exchanges.length, classes, perOperation, findings, retired, kinds };
}

const KIND_LABELS = [
  ['findings', 'with findings'],
  ['blocked', 'blocked by the Technical Design'],
  ['filtered', 'filtered by the Technical Design'],
  ['mock', 'answered by the mock'],
  ['replay', 'replayed from fixtures'],
  ['webhook', 'webhook deliveries'],
  ['aborted', 'aborted by the client'],
];
const MAX_OPERATIONS = 12;

export function renderSummary(target, exchanges) {
  const summary = summarize(exchanges);
  const classes = [...summary.classes.entries()].sort(([a], [b]) => a.localeCompare(b));
  const marked = KIND_LABELS.filter(([kind]) => summary.kinds.get(kind)).map(([kind, label]) => `${summary.kinds.get(kind).toLocaleString('en-US')} ${label}`);
  const operations = summary.perOperation.slice(0, MAX_OPERATIONS);
  const parts = [
    el('p', { id: 'summary-classes' },
      el('strong', { text: plural(summary.total, 'exchange') }),
      ...classes.flatMap(([klass, count]) => [' · ', el('span', { class: `s${klass[0] === 'n' ? 0 : klass[0]}`, text: `${klass} ${count.toLocaleString('en-US')}` })]),
      summary.findings ? ` · ${plural(summary.findings, 'finding')}` : '',
    ),
    marked.length ? el('p', { id: 'summary-marked', text: marked.join(' · ') }) : null,
    summary.retired.size
      ? el('ul', { id: 'summary-retired' }, ...[...summary.retired.entries()].map(([label, count]) => el('li', { text: `${count.toLocaleString('en-US')}× ${label}` })))
      : null,
    operations.length
      ? el('table', { id: 'summary-operations' },
        el('thead', {}, el('tr', {}, el('th', { text: 'Operation' }), el('th', { class: 'num', text: 'Calls' }), el('th', { class: 'num', text: 'p50' }), el('th', { class: 'num', text: 'p95' }))),
        el('tbody', {}, ...operations.map((row) => el('tr', {}, el('td', { text: row.operation }), el('td', { class: 'num', text: row.calls.toLocaleString('en-US') }), el('td', { class: 'num', text: formatMs(row.p50) }), el('td', { class: 'num', text: formatMs(row.p95) })))),
      )
      : null,
    summary.perOperation.length > MAX_OPERATIONS ? el('p', { class: 'muted', text: `and ${summary.perOperation.length - MAX_OPERATIONS} more operations` }) : null,
  ];
  target.replaceChildren(...parts.filter(Boolean));
}
