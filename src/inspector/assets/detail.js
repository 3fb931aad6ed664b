// The detail pane: one exchange in full, from the record's own text; copy as curl, resend
// (as recorded or edited) and the comparison with what the API answers now.
import { $, el, statusText } from './dom.js';
import { bodyTextOf } from './json-text.js';
import { jsonView } from './json-view.js';

export const API = '/__proxy/api/exchanges';
const TEXT_PAGE = 200_000;

/** The record at `url` as { record, text }; the text is the record's JSON as recorded. */
async function fetchRecord(url) {
  const response = await fetch(url, { cache: 'no-store' });
  const text = await response.text();
  if (!response.ok) {
    let error = text;
    try {
      error = JSON.parse(text).error ?? text;
    } catch {
      // not JSON: shown as it is
    }
    throw new Error(error);
  }
  return { text, record: JSON.parse(text) };
}

/** The record's URL, or one of its actions'; a record found by the history search says where it was found. */
export function recordUrl(exchange, action) {
  const base = `${API}/${encodeURIComponent(exchange.id)}${action ? `/${action}` : ''}`;
  return exchange.at ? `${base}?at=${encodeURIComponent(exchange.at)}` : base;
}

/** Shows the exchange in the pane; `isCurrent` says whether it is still the one wanted when the record arrives. */
export async function showDetail(exchange, isCurrent) {
  const detail = $('#detail');
  detail.hidden = false;
  let loaded;
  try {
    loaded = await fetchRecord(recordUrl(exchange));
  } catch (error) {
    detail.replaceChildren(el('p', { class: 'note', text: error.message }));
    return;
  }
  if (!isCurrent()) return;
  try {
    detail.replaceChildren(...renderRecord(loaded.record, loaded.text, exchange).filter(Boolean));
  } catch (error) {
    // A record of an older version, or one this page does not know how to show: its text, as it is.
    detail.replaceChildren(
      el('p', { class: 'note', id: 'raw-note', text: `This record cannot be shown in the usual form (${error.message}); its raw JSON:` }),
      textView(loaded.text),
    );
  }
}

function renderRecord(record, text, exchange) {
  const facts = [
    ['Status', statusText(record)],
    ['Time', `${new Date(record.time).toLocaleString()} (${record.time})`],
    ['Duration', `${record.durationMs.toFixed(1)} ms${record.queuedMs ? `, of which ${record.queuedMs.toFixed(1)} ms waiting for a slot` : ''}`],
    ['Upstream', record.upstreamUrl || '(not forwarded: the proxy answered itself)'],
    ['Id', record.id],
    ['Profile', record.tag ? `${record.profile} [${record.tag}]` : record.profile],
    ...(record.operation ? [['Operation', operationText(record.operation)]] : []),
    ...(record.answeredBy && record.answeredBy !== 'upstream' ? [['Answered by', record.answeredBy]] : []),
    ...(record.design ? [['Technical Design', `${record.design.verdict}${record.design.removedFields?.length ? `: removed ${record.design.removedFields.join(', ')}` : ''}`]] : []),
    ...(record.webhook ? [['Webhook', `${record.webhook.direction} ${record.webhook.event}, signature ${record.webhook.signature}${record.webhook.warning ? `; ${record.webhook.warning}` : ''}`]] : []),
  ];
  const exact = { request: bodyTextOf(text, 'request'), response: bodyTextOf(text, 'response') };
  return [
    el('h2', { text: `${record.method} ${record.url}` }),
    el('div', { class: 'actions' },
      el('button', { id: 'copy-curl', type: 'button', onclick: (event) => copyCurl(record, exact.request, event.target), text: 'Copy as curl' }),
      el('button', { id: 'resend', type: 'button', onclick: () => resend(record, text, exchange, {}), text: 'Resend' }),
      el('button', { id: 'edit-resend', type: 'button', onclick: () => showResendForm(record, text, exchange, exact.request), text: 'Edit and resend' }),
      el('a', { href: recordUrl(exchange), target: '_blank', text: 'Raw record' }),
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
    ...message('Request', record.request, exact.request),
    ...message('Response', record.response, exact.response),
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

function message(title, msg, exactBody) {
  const headers = Object.entries(msg.headers).flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => [name, v]));
  return [
    el('h3', { text: `${title} headers` }),
    el('table', { class: 'headers' }, el('tbody', {}, ...headers.map(([name, value]) => el('tr', {}, el('td', { text: name }), el('td', { text: value }))))),
    el('h3', { text: `${title} body (${msg.bodyBytes.toLocaleString('en-US')} bytes)` }),
    ...body(msg, exactBody),
  ];
}

/** Long text shown a part at a time: a page of the text and a button for the next. */
function textView(text, className = 'body') {
  const pre = el('pre', { class: className, text: text.slice(0, TEXT_PAGE) });
  if (text.length <= TEXT_PAGE) return pre;
  let shown = TEXT_PAGE;
  const more = el('button', { type: 'button', class: 'link more', text: `show more (${shown.toLocaleString('en-US')} of ${text.length.toLocaleString('en-US')} characters shown)` });
  more.addEventListener('click', () => {
    pre.append(text.slice(shown, shown + TEXT_PAGE));
    shown += TEXT_PAGE;
    if (shown >= text.length) more.remove();
    else more.textContent = `show more (${shown.toLocaleString('en-US')} of ${text.length.toLocaleString('en-US')} characters shown)`;
  });
  return el('div', {}, pre, more);
}

function body(msg, exactBody) {
  const note = msg.bodyTruncated ? el('p', { class: 'note', text: `Only the first part of ${msg.bodyBytes} bytes was recorded (ONS_PROXY_LOG_BODY_LIMIT).` }) : null;
  if (msg.bodyEncoding === 'omitted') return [el('p', { class: 'muted', text: msg.bodyNote || 'Bodies are not recorded (ONS_PROXY_LOG_BODIES=false).' })];
  if (msg.bodyBytes === 0) return [el('p', { class: 'muted', text: 'No body.' })];
  const why = msg.bodyNote ? el('p', { class: 'note', text: msg.bodyNote }) : null;
  if (msg.bodyEncoding === 'json') {
    const text = exactBody ?? JSON.stringify(msg.body);
    const tree = jsonView(text);
    const asText = el('button', { type: 'button', class: 'link', text: 'as recorded text' });
    const wrapper = el('div', {}, asText, tree);
    asText.addEventListener('click', () => wrapper.replaceChildren(textView(text)));
    return [note, wrapper];
  }
  if (msg.bodyEncoding === 'base64') return [note, el('p', { class: 'muted', text: 'Binary body, shown as base64:' }), textView(msg.body)];
  return [note, why, textView(String(msg.body))];
}

// ---- copy as curl ----------------------------------------------------------------------

const SKIPPED_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'accept-encoding']);
const OWN_CREDENTIALS = new Set(['x-proxy-token', 'proxy-authorization']);

function shellQuote(text) {
  return `'${String(text).replace(/'/g, `'\\''`)}'`;
}

/** The same request, sent through this proxy again. Redacted headers are left out. */
function curlCommand(record, exactBody) {
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
    parts.push('--data-raw', shellQuote(req.bodyEncoding === 'json' ? exactBody ?? JSON.stringify(req.body) : req.body));
  } else if (req.bodyBytes > 0) {
    parts.push(`# the ${req.bodyBytes}-byte body was not recorded in full`);
  }
  return parts.join(' ');
}

async function copyCurl(record, exactBody, button) {
  const command = curlCommand(record, exactBody);
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

function showResendForm(record, text, exchange, exactBody) {
  const form = $('#resend-form');
  const headers = {};
  for (const [name, value] of Object.entries(record.request.headers)) {
    // A masked value stays in view, so that it is replaced; the proxy's own token is added by the resend.
    if (!RESEND_SKIPPED_HEADERS.has(name) && !OWN_CREDENTIALS.has(name)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const req = record.request;
  const bodyText = req.bodyBytes === 0 ? '' : req.bodyEncoding === 'json' ? exactBody ?? JSON.stringify(req.body) : String(req.body ?? '');
  form.replaceChildren(
    el('h3', { text: 'Edit and resend (through the proxy, with the certificate)' }),
    el('label', { text: 'Method ' }, el('input', { id: 'resend-method', value: record.method, size: '8' })),
    el('label', { text: ' Path ' }, el('input', { id: 'resend-path', value: record.url, size: '50' })),
    el('label', { class: 'block', text: 'Headers (JSON)' }, el('textarea', { id: 'resend-headers', rows: '5' })),
    el('label', { class: 'block', text: 'Body (JSON or text, sent as written)' }, el('textarea', { id: 'resend-body', rows: '6' })),
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
    const written = $('#resend-body').value;
    if (req.bodyEncoding === 'json' && written.trim() !== '') {
      try {
        JSON.parse(written);
      } catch (error) {
        showResendError(`The body is not JSON: ${error.message}`);
        return;
      }
    }
    // The text as written: a parse and stringify here would round ids above 2^53.
    resend(record, text, exchange, { method: $('#resend-method').value, path: $('#resend-path').value, headers: editedHeaders, body: written });
  };
  form.hidden = false;
}

function showResendError(text) {
  const note = $('#resend-error');
  if (!note) return;
  note.textContent = text;
  note.hidden = false;
}

async function resend(record, text, exchange, edits) {
  const result = $('#resend-result');
  result.hidden = false;
  result.replaceChildren(el('p', { class: 'muted', text: 'Sending…' }));
  const response = await fetch(recordUrl(exchange, 'resend'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(edits) });
  const data = await response.json();
  if (!response.ok) {
    result.replaceChildren(el('p', { class: 'note', text: data.error }));
    return;
  }
  if (!data.resent) {
    result.replaceChildren(el('p', { class: 'note', text: 'Sent, but its record did not arrive in time: look for it in the list.' }));
    return;
  }
  let resent = { record: data.resent, text: JSON.stringify(data.resent) };
  try {
    resent = await fetchRecord(`${API}/${encodeURIComponent(data.resent.id)}`);
  } catch {
    // Already dropped from the recent ones: the parsed copy has to do.
  }
  result.replaceChildren(...compare({ record, text }, resent));
}

function responseText(loaded) {
  const msg = loaded.record.response;
  if (msg.bodyEncoding === 'json') return bodyTextOf(loaded.text, 'response') ?? JSON.stringify(msg.body);
  return msg.body === undefined ? '' : String(msg.body);
}

/** A JSON value whose numbers keep their text (where the browser gives it), so that 2^53+1 and 2^53 differ. */
function exactValue(loaded) {
  const msg = loaded.record.response;
  if (msg.bodyEncoding !== 'json') return responseText(loaded);
  try {
    return JSON.parse(responseText(loaded), (_key, value, context) => (typeof value === 'number' && context?.source !== undefined ? { number: context.source } : value));
  } catch {
    return msg.body;
  }
}

function compare(original, resent) {
  const side = (title, loaded) => el('div', { class: 'side' },
    el('h3', { text: `${title}: ${loaded.record.method} ${loaded.record.url} → ${statusText(loaded.record)}` }),
    textView(responseText(loaded)),
  );
  const differences = jsonDiff(exactValue(original), exactValue(resent), '$', []);
  return [
    el('h3', { text: 'Resent' }),
    el('p', { id: 'resend-status', text: `Status ${statusText(original.record)} then, ${statusText(resent.record)} now (id ${resent.record.id}).` }),
    el('div', { class: 'compare' }, side('Recorded', original), side('Now', resent)),
    el('h3', { text: 'Body differences' }),
    differences.length === 0
      ? el('p', { id: 'body-diff', class: 'muted', text: 'The bodies are the same.' })
      : el('ul', { id: 'body-diff' }, ...differences.map((line) => el('li', { text: line }))),
  ];
}

const isNumber = (value) => value !== null && typeof value === 'object' && Object.keys(value).length === 1 && typeof value.number === 'string';

function shortJson(value) {
  const text = isNumber(value) ? value.number : JSON.stringify(value, (_key, inner) => (isNumber(inner) ? Number(inner.number) : inner));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** What changed between two JSON values, one line per path: "~ $.lastName: "A" → "B"", "+ $.x: 1", "- $.y: 2". */
function jsonDiff(before, after, where, out) {
  if (JSON.stringify(before) === JSON.stringify(after)) return out;
  const objects = before !== null && after !== null && typeof before === 'object' && typeof after === 'object' && !isNumber(before) && !isNumber(after) && Array.isArray(before) === Array.isArray(after);
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
