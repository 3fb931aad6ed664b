// The inspector page: the recent exchanges, live, newest first; one opened in detail.
// Plain DOM code, no framework and no build step. Everything shown is set as text, never
// as HTML, because records hold whatever the client and the API sent.
'use strict';

const API = '/__proxy/api/exchanges';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);
const state = { exchanges: [], limit: 500, selectedId: undefined, filter: () => true };

const $ = (selector) => document.querySelector(selector);
const tbody = $('#list tbody');

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== undefined && child !== null) node.append(child);
  return node;
}

function localTime(iso) {
  const d = new Date(iso);
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function statusText(exchange) {
  if (exchange.aborted) return exchange.status ? `${exchange.status} aborted` : 'aborted';
  return exchange.status === 0 ? 'no response' : String(exchange.status);
}

// A summary's `repeated` is the number of identical refusals it stands for.
function listStatusText(exchange) {
  return exchange.repeated ? `${statusText(exchange)} \u00d7${exchange.repeated.toLocaleString('en-US')}` : statusText(exchange);
}

// "404", "4xx", "post" and any other text (matched in the URL); all terms must match.
function parseFilter(text) {
  const tests = text.trim().split(/\s+/).filter(Boolean).map((term) => {
    if (/^\d{3}$/.test(term)) return (e) => String(e.status) === term;
    if (/^[1-5]xx$/i.test(term)) return (e) => Math.floor(e.status / 100) === Number(term[0]);
    if (METHODS.has(term.toUpperCase())) return (e) => e.method === term.toUpperCase();
    const needle = term.toLowerCase();
    return (e) => e.url.toLowerCase().includes(needle) || (e.operation ?? '').toLowerCase().includes(needle);
  });
  return (exchange) => tests.every((test) => test(exchange));
}

function row(exchange) {
  const klass = `s${Math.floor(exchange.status / 100)}`;
  return el('tr', { 'data-id': exchange.id, class: exchange.id === state.selectedId ? 'selected' : '', onclick: () => select(exchange.id) },
    el('td', { text: localTime(exchange.time), title: exchange.time }),
    el('td', { text: exchange.method }),
    el('td', { class: exchange.aborted || exchange.error ? 's0' : klass, text: listStatusText(exchange), title: exchange.error || exchange.hint || (exchange.repeated ? `${exchange.repeated} identical refusals` : '') }),
    el('td', { class: 'num', text: exchange.durationMs.toFixed(1) }),
    el('td', { class: 'url', title: exchange.url },
      exchange.url,
      exchange.operation ? el('span', { class: 'operation', text: ` ${exchange.operation}`, title: exchange.operationSummary ?? '' }) : null,
      exchange.findings ? el('span', { class: 'findings-count', text: ` ${exchange.findings} finding${exchange.findings === 1 ? '' : 's'}` }) : null,
    ),
    el('td', {}, el('input', { type: 'checkbox', class: 'pick', 'data-id': exchange.id, 'aria-label': `Select ${exchange.method} ${exchange.url}`, onclick: (event) => event.stopPropagation(), onchange: updateSaveButton })),
  );
}

function renderList() {
  const shown = state.exchanges.filter(state.filter);
  tbody.replaceChildren(...shown.map(row));
  $('#empty').hidden = state.exchanges.length > 0;
  $('#count').textContent = shown.length === state.exchanges.length ? `${shown.length} exchanges` : `${shown.length} of ${state.exchanges.length}`;
}

function addExchange(exchange) {
  if (state.exchanges.some((e) => e.id === exchange.id)) return;
  state.exchanges.unshift(exchange);
  if (state.exchanges.length > state.limit) state.exchanges.length = state.limit;
  if (state.filter(exchange)) tbody.prepend(row(exchange));
  while (tbody.rows.length > state.limit) tbody.deleteRow(-1);
  $('#empty').hidden = true;
  const shown = tbody.rows.length;
  $('#count').textContent = shown === state.exchanges.length ? `${shown} exchanges` : `${shown} of ${state.exchanges.length}`;
}

async function load() {
  const response = await fetch(API, { cache: 'no-store' });
  const data = await response.json();
  state.exchanges = data.exchanges;
  state.limit = data.limit;
  $('#target').textContent = `${data.profile} → ${data.upstream} (${data.environment})`;
  $('#warnings').replaceChildren(...(data.warnings ?? []).map((warning) => Object.assign(document.createElement('p'), { textContent: warning })));
  $('#warnings').hidden = !data.warnings?.length;
  $('#example').textContent = `curl ${window.location.origin}/ping`;
  renderList();
}

function connect() {
  const live = $('#live');
  const source = new EventSource('/__proxy/events');
  let reconnecting = false;
  source.addEventListener('open', () => {
    live.textContent = '● live';
    live.className = 'live on';
    // Exchanges recorded while disconnected come with the list.
    if (reconnecting) load().catch(() => undefined);
  });
  source.addEventListener('error', () => {
    reconnecting = true;
    live.textContent = 'reconnecting…';
    live.className = 'live';
  });
  source.addEventListener('exchange', (event) => addExchange(JSON.parse(event.data)));
}

// ---- detail pane -----------------------------------------------------------------------

async function select(id) {
  state.selectedId = id;
  for (const tr of tbody.rows) tr.classList.toggle('selected', tr.dataset.id === id);
  const detail = $('#detail');
  detail.hidden = false;
  const response = await fetch(`${API}/${encodeURIComponent(id)}`, { cache: 'no-store' });
  if (!response.ok) {
    detail.replaceChildren(el('p', { class: 'note', text: (await response.json()).error }));
    return;
  }
  if (state.selectedId === id) detail.replaceChildren(...renderRecord(await response.json()).filter(Boolean));
}

function renderRecord(record) {
  const facts = [
    ['Status', statusText(record)],
    ['Time', `${new Date(record.time).toLocaleString()} (${record.time})`],
    ['Duration', `${record.durationMs.toFixed(1)} ms${record.queuedMs ? `, of which ${record.queuedMs.toFixed(1)} ms queued` : ''}`],
    ['Upstream', record.upstreamUrl || '(not forwarded: the proxy answered itself)'],
    ['Id', record.id],
    ['Profile', record.tag ? `${record.profile} [${record.tag}]` : record.profile],
    ...(record.operation ? [['Operation', operationText(record.operation)]] : []),
  ];
  return [
    el('h2', { text: `${record.method} ${record.url}` }),
    el('div', { class: 'actions' },
      el('button', { id: 'copy-curl', type: 'button', onclick: (event) => copyCurl(record, event.target), text: 'Copy as curl' }),
      el('button', { id: 'resend', type: 'button', onclick: () => resend(record, {}), text: 'Resend' }),
      el('button', { id: 'edit-resend', type: 'button', onclick: () => showResendForm(record), text: 'Edit and resend' }),
      el('a', { href: `${API}/${encodeURIComponent(record.id)}`, target: '_blank', text: 'Raw record' }),
    ),
    el('form', { id: 'resend-form', hidden: '' }),
    el('section', { id: 'resend-result', hidden: '' }),
    record.error ? el('p', { class: 'note', text: `Error ${record.error.code}: ${record.error.message}` }) : null,
    record.aborted ? el('p', { class: 'note', text: 'The client went away before the response was complete.' }) : null,
    record.hint ? el('p', { class: 'note', text: record.hint }) : null,
    record.repeated
      ? el('p', { class: 'note', text: `This record stands for ${record.repeated.count.toLocaleString('en-US')} identical refusals, the last at ${new Date(record.repeated.until).toLocaleString()} (id ${record.repeated.lastId}); the others have no record of their own.` })
      : null,
    el('dl', { class: 'facts' }, ...facts.flatMap(([name, value]) => [el('dt', { text: name }), el('dd', { text: value })])),
    ...findingsPanel(record),
    ...message('Request', record.request),
    ...message('Response', record.response),
  ];
}

function operationText(operation) {
  const deprecated = operation.deprecated ? ` (deprecated${operation.deprecatedSince ? ` since ${operation.deprecatedSince}` : ''}${operation.replacedBy ? `; replaced by ${operation.replacedBy}` : ''})` : '';
  return `${operation.id}${operation.summary ? `: ${operation.summary}` : ''} ${operation.path}${deprecated}`;
}

/** The API document's advisory findings: what does not fit the operation, and what was not checked. */
function findingsPanel(record) {
  const findings = record.findings ?? [];
  const skipped = record.notChecked ?? [];
  if (!record.operation && findings.length === 0) return [];
  const rows = findings.map((finding) => el('tr', {}, el('td', { text: finding.where }), el('td', { text: finding.message })));
  return [
    el('h3', { text: `Findings (${findings.length})` }),
    findings.length ? el('table', { class: 'headers findings' }, el('tbody', {}, ...rows)) : el('p', { class: 'muted', text: 'Request and answer fit the operation.' }),
    ...skipped.map((entry) => el('p', { class: 'muted', text: `${entry.where}: ${entry.message}` })),
  ];
}

function message(title, msg) {
  const headers = Object.entries(msg.headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => [name, v]));
  return [
    el('h3', { text: `${title} headers` }),
    el('table', { class: 'headers' }, el('tbody', {}, ...headers.map(([name, value]) => el('tr', {}, el('td', { text: name }), el('td', { text: value }))))),
    el('h3', { text: `${title} body (${msg.bodyBytes} bytes)` }),
    ...body(msg),
  ];
}

function body(msg) {
  const note = msg.bodyTruncated ? el('p', { class: 'note', text: `Only the first part of ${msg.bodyBytes} bytes was recorded (ONS_PROXY_LOG_BODY_LIMIT).` }) : null;
  if (msg.bodyEncoding === 'omitted') return [el('p', { class: 'muted', text: msg.bodyNote || 'Bodies are not recorded (ONS_PROXY_LOG_BODIES=false).' })];
  if (msg.bodyBytes === 0) return [el('p', { class: 'muted', text: 'No body.' })];
  const why = msg.bodyNote ? el('p', { class: 'note', text: msg.bodyNote }) : null;
  if (msg.bodyEncoding === 'json') return [note, el('div', { class: 'json body' }, jsonNode(msg.body, undefined, 0))];
  if (msg.bodyEncoding === 'base64') return [note, el('p', { class: 'muted', text: 'Binary body, shown as base64:' }), el('pre', { class: 'body', text: msg.body })];
  return [note, why, el('pre', { class: 'body', text: msg.body })];
}

// Records hold JSON at most this deep (deeper bodies are recorded as text); the bound keeps
// the page safe with any record it is given.
const MAX_JSON_DEPTH = 100;

// JSON as nested <details>: collapsible with the browser's own widget, open near the top.
function jsonNode(value, key, depth) {
  const label = key === undefined ? [] : [el('span', { class: 'key', text: JSON.stringify(key) }), ': '];
  if (depth >= MAX_JSON_DEPTH && value !== null && typeof value === 'object') {
    return el('div', { class: 'entry' }, ...label, el('span', { class: 'hint', text: `nested deeper than ${MAX_JSON_DEPTH} levels: see the raw record` }));
  }
  if (value === null || typeof value !== 'object') {
    const type = value === null ? 'null' : typeof value;
    return el('div', { class: 'entry' }, ...label, el('span', { class: type, text: JSON.stringify(value) }));
  }
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  const node = el('details', {}, el('summary', {}, ...label, open, el('span', { class: 'hint', text: ` ${entries.length} ${Array.isArray(value) ? 'items' : 'keys'} ` }), close));
  if (depth < 3 && entries.length <= 200) node.open = true;
  // Children are built when first opened, so that a big body opens fast.
  const fill = () => {
    if (node.dataset.filled) return;
    node.dataset.filled = '1';
    node.append(...entries.map(([k, v]) => jsonNode(v, Array.isArray(value) ? undefined : k, depth + 1)));
  };
  if (node.open) fill();
  else node.addEventListener('toggle', fill);
  return node;
}

// ---- copy as curl ----------------------------------------------------------------------

const SKIPPED_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'accept-encoding']);

function shellQuote(text) {
  return `'${String(text).replace(/'/g, `'\\''`)}'`;
}

/** The same request, sent through this proxy again. Redacted headers are left out. */
function curlCommand(record) {
  const parts = ['curl', '-sS', '-i'];
  if (record.method !== 'GET') parts.push('-X', record.method);
  parts.push(shellQuote(`${window.location.origin}${record.url}`));
  for (const [name, value] of Object.entries(record.request.headers)) {
    for (const single of Array.isArray(value) ? value : [value]) {
      if (!SKIPPED_HEADERS.has(name) && single !== '[redacted]') parts.push('-H', shellQuote(`${name}: ${single}`));
    }
  }
  const req = record.request;
  if (req.bodyBytes > 0 && !req.bodyTruncated && (req.bodyEncoding === 'json' || req.bodyEncoding === 'text')) {
    parts.push('--data-raw', shellQuote(req.bodyEncoding === 'json' ? JSON.stringify(req.body) : req.body));
  } else if (req.bodyBytes > 0) {
    parts.push(`# the ${req.bodyBytes}-byte body was not recorded in full`);
  }
  return parts.join(' ');
}

async function copyCurl(record, button) {
  const command = curlCommand(record);
  try {
    await navigator.clipboard.writeText(command);
    button.textContent = 'Copied';
  } catch {
    // No clipboard access (plain http on another host): show it to copy by hand.
    window.prompt('Copy the command:', command);
  }
  window.setTimeout(() => (button.textContent = 'Copy as curl'), 1500);
}

// ---- resend and compare ----------------------------------------------------------------

const RESEND_SKIPPED_HEADERS = new Set([...SKIPPED_HEADERS, 'keep-alive']);

function bodyValue(msg) {
  if (msg.bodyEncoding === 'json') return msg.body;
  return msg.body === undefined ? '' : msg.body;
}

function showResendForm(record) {
  const form = $('#resend-form');
  const headers = {};
  for (const [name, value] of Object.entries(record.request.headers)) {
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (!RESEND_SKIPPED_HEADERS.has(name) && !text.includes('[redacted]')) headers[name] = text;
  }
  const req = record.request;
  const bodyText = req.bodyBytes === 0 ? '' : req.bodyEncoding === 'json' ? JSON.stringify(req.body, null, 2) : String(req.body ?? '');
  form.replaceChildren(
    el('h3', { text: 'Edit and resend (through the proxy, with the certificate)' }),
    el('label', { text: 'Method ' }, el('input', { id: 'resend-method', value: record.method, size: '8' })),
    el('label', { text: ' Path ' }, el('input', { id: 'resend-path', value: record.url, size: '50' })),
    el('label', { class: 'block', text: 'Headers (JSON)' }, el('textarea', { id: 'resend-headers', rows: '5' })),
    el('label', { class: 'block', text: 'Body (JSON or text)' }, el('textarea', { id: 'resend-body', rows: '6' })),
    el('button', { id: 'resend-send', type: 'submit', text: 'Send' }),
    el('span', { id: 'resend-error', class: 'note', hidden: '' }),
  );
  $('#resend-headers').value = JSON.stringify(headers, null, 2);
  $('#resend-body').value = bodyText;
  form.onsubmit = (event) => {
    event.preventDefault();
    let editedHeaders;
    try {
      editedHeaders = JSON.parse($('#resend-headers').value || '{}');
    } catch (error) {
      showResendError(`The headers are not JSON: ${error.message}`);
      return;
    }
    const text = $('#resend-body').value;
    let body = text;
    if (req.bodyEncoding === 'json' && text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch (error) {
        showResendError(`The body is not JSON: ${error.message}`);
        return;
      }
    }
    resend(record, { method: $('#resend-method').value, path: $('#resend-path').value, headers: editedHeaders, body });
  };
  form.hidden = false;
}

function showResendError(text) {
  const note = $('#resend-error');
  if (!note) return;
  note.textContent = text;
  note.hidden = false;
}

async function resend(record, edits) {
  const result = $('#resend-result');
  result.hidden = false;
  result.replaceChildren(el('p', { class: 'muted', text: 'Sending…' }));
  const response = await fetch(`${API}/${encodeURIComponent(record.id)}/resend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(edits) });
  const data = await response.json();
  if (!response.ok) {
    result.replaceChildren(el('p', { class: 'note', text: data.error }));
    return;
  }
  if (!data.resent) {
    result.replaceChildren(el('p', { class: 'note', text: 'Sent, but its record did not arrive in time: look for it in the list.' }));
    return;
  }
  result.replaceChildren(...compare(data.original, data.resent));
}

function compare(original, resent) {
  const side = (title, record) => el('div', { class: 'side' },
    el('h3', { text: `${title}: ${record.method} ${record.url} → ${statusText(record)}` }),
    el('pre', { class: 'body', text: typeof bodyValue(record.response) === 'string' ? bodyValue(record.response) : JSON.stringify(bodyValue(record.response), null, 2) }),
  );
  const differences = jsonDiff(bodyValue(original.response), bodyValue(resent.response), '$', []);
  return [
    el('h3', { text: 'Resent' }),
    el('p', { id: 'resend-status', text: `Status ${statusText(original)} then, ${statusText(resent)} now (id ${resent.id}).` }),
    el('div', { class: 'compare' }, side('Recorded', original), side('Now', resent)),
    el('h3', { text: 'Body differences' }),
    differences.length === 0
      ? el('p', { id: 'body-diff', class: 'muted', text: 'The bodies are the same.' })
      : el('ul', { id: 'body-diff' }, ...differences.map((line) => el('li', { text: line }))),
  ];
}

function shortJson(value) {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** What changed between two JSON values, one line per path: "~ $.lastName: "A" → "B"", "+ $.x: 1", "- $.y: 2". */
function jsonDiff(before, after, where, out) {
  if (JSON.stringify(before) === JSON.stringify(after)) return out;
  const objects = before !== null && after !== null && typeof before === 'object' && typeof after === 'object' && Array.isArray(before) === Array.isArray(after);
  if (!objects) {
    out.push(`~ ${where}: ${shortJson(before)} → ${shortJson(after)}`);
    return out;
  }
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const path = Array.isArray(before) ? `${where}[${key}]` : `${where}.${key}`;
    if (!(key in after)) out.push(`- ${path}: ${shortJson(before[key])}`);
    else if (!(key in before)) out.push(`+ ${path}: ${shortJson(after[key])}`);
    else jsonDiff(before[key], after[key], path, out);
  }
  return out;
}

// ---- save as fixtures ------------------------------------------------------------------

function pickedIds() {
  return [...tbody.querySelectorAll('input.pick:checked')].map((box) => box.dataset.id);
}

function updateSaveButton() {
  const count = pickedIds().length;
  const button = $('#save-fixtures');
  button.disabled = count === 0;
  button.textContent = count === 0 ? 'Save as fixtures' : `Save ${count} as fixtures`;
}

async function saveFixtures() {
  const status = $('#save-result');
  status.textContent = 'Saving…';
  const response = await fetch('/__proxy/api/fixtures', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: pickedIds() }) });
  const data = await response.json();
  if (!response.ok) {
    status.textContent = data.error;
    return;
  }
  const skipped = data.notSaved.length > 0 ? `; not saved: ${data.notSaved.map((item) => item.reason).join(', ')}` : '';
  status.textContent = `Saved ${data.written.length} fixture${data.written.length === 1 ? '' : 's'} to ${data.folder}${data.alreadyThere ? ` (${data.alreadyThere} already there)` : ''}${skipped}.`;
  for (const box of tbody.querySelectorAll('input.pick:checked')) box.checked = false;
  updateSaveButton();
}

// ---- start -------------------------------------------------------------------------------

$('#save-fixtures').addEventListener('click', () => saveFixtures().catch((error) => ($('#save-result').textContent = error.message)));

$('#filter').addEventListener('input', (event) => {
  state.filter = parseFilter(event.target.value);
  renderList();
});
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    $('#detail').hidden = true;
    state.selectedId = undefined;
    for (const tr of tbody.rows) tr.classList.remove('selected');
  }
});
load().then(connect, (error) => {
  $('#live').textContent = `cannot reach the proxy: ${error.message}`;
});
