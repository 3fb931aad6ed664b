// The inspector page: the recent exchanges, live, newest first, or what the history search
// found; a timeline, a summary and the list of what is shown; one exchange opened in detail.
// Plain DOM code in a few modules, no framework and no build step.
import { $ } from './dom.js';
import { API, showDetail } from './detail.js';
import { HistorySearch } from './history.js';
import { VirtualList } from './list.js';
import { renderSummary } from './summary.js';
import { Timeline } from './timeline.js';

const state = {
  live: [],
  limit: 500,
  mode: 'live',
  query: '',
  // The live list as the server filtered it, while the box holds a query.
  filtered: undefined,
  brush: undefined,
  selectedId: undefined,
  picked: new Set(),
};

const list = new VirtualList({ pane: $('#list-pane'), tbody: $('#list tbody'), onOpen: open, onPick: pick, picked: state.picked });
const timeline = new Timeline({ canvas: $('#timeline-canvas'), legend: $('#timeline-legend'), onBrush: (range) => {
  state.brush = range;
  refresh();
} });
// While a search runs, the timeline and summary (which look at every row) are redrawn about once a second; the list with every page.
const HEAVY_EVERY_MS = 1000;
let lastHeavy = 0;
const history = new HistorySearch({ onRows: (_rows, done) => refresh({ light: !done && Date.now() - lastHeavy < HEAVY_EVERY_MS }) });

function source() {
  if (state.mode === 'history') return history.rows;
  return state.filtered ?? state.live;
}

let refreshing = false;
let heavyWanted = false;
/** Redraws timeline, list, summary and count from the state, at most once a frame; `light` leaves the timeline and summary for later. */
function refresh({ light = false } = {}) {
  if (!light) heavyWanted = true;
  if (refreshing) return;
  refreshing = true;
  requestAnimationFrame(() => {
    refreshing = false;
    const heavy = heavyWanted;
    heavyWanted = false;
    const rows = source();
    if (heavy) {
      lastHeavy = Date.now();
      timeline.setData(rows);
    }
    const [from, to] = state.brush ?? [];
    const shown = state.brush ? rows.filter((row) => {
      const start = Date.parse(row.time);
      return start <= to && start + row.durationMs >= from;
    }) : rows;
    list.setRows(shown);
    if (heavy) renderSummary($('#summary-body'), shown);
    $('#empty').hidden = state.mode === 'history' || state.live.length > 0;
    const total = state.mode === 'history' ? history.rows.length : state.live.length;
    const what = state.mode === 'history' ? 'found in the history' : 'recent';
    $('#count').textContent = `${shown.length === total ? '' : `${shown.length.toLocaleString('en-US')} of `}${total.toLocaleString('en-US')} ${what}${state.brush ? ' in the time range' : ''}`;
  });
}

function open(exchange) {
  state.selectedId = exchange.id;
  list.select(exchange.id);
  showDetail(exchange, () => state.selectedId === exchange.id);
}

function pick(id, checked) {
  if (checked) state.picked.add(id);
  else state.picked.delete(id);
  const button = $('#save-fixtures');
  button.disabled = state.picked.size === 0;
  button.textContent = state.picked.size === 0 ? 'Save as fixtures' : `Save ${state.picked.size} as fixtures`;
}

// ---- the live list -----------------------------------------------------------------------

async function load() {
  const response = await fetch(API, { cache: 'no-store' });
  const data = await response.json();
  state.live = data.exchanges;
  state.limit = data.limit;
  $('#target').textContent = `${data.profile} → ${data.upstream} (${data.environment})`;
  $('#warnings').replaceChildren(...(data.warnings ?? []).map((warning) => Object.assign(document.createElement('p'), { textContent: warning })));
  $('#warnings').hidden = !data.warnings?.length;
  $('#example').textContent = `curl ${window.location.origin}/ping`;
  if (state.query) await applyQuery();
  refresh();
}

let queryRun = 0;
/** Asks the server which recent exchanges the box's query selects: the same code as `ons-proxy logs`. */
async function applyQuery() {
  const run = ++queryRun;
  const text = state.query;
  if (text.trim() === '') {
    state.filtered = undefined;
    showFilterError('');
    refresh();
    return;
  }
  const response = await fetch(`${API}?q=${encodeURIComponent(text)}`, { cache: 'no-store' });
  const data = await response.json();
  if (run !== queryRun) return;
  if (!response.ok) {
    showFilterError(data.error);
    return;
  }
  showFilterError('');
  state.filtered = data.exchanges;
  refresh();
}

function showFilterError(text) {
  const note = $('#filter-error');
  note.textContent = text;
  note.hidden = text === '';
  $('#filter').setAttribute('aria-invalid', text === '' ? 'false' : 'true');
}

let refilter;
function addExchange(exchange) {
  if (state.live.some((e) => e.id === exchange.id)) return;
  state.live.unshift(exchange);
  if (state.live.length > state.limit) state.live.length = state.limit;
  // A query is answered by the server: asked again, at most a few times a second.
  if (state.filtered !== undefined) refilter ??= setTimeout(() => {
    refilter = undefined;
    applyQuery();
  }, 250);
  if (state.mode === 'live') refresh();
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

// ---- history -----------------------------------------------------------------------------

async function searchHistory() {
  state.mode = 'history';
  state.brush = undefined;
  timeline.brush = undefined;
  $('#history-back').hidden = false;
  $('#list-pane').scrollTop = 0;
  refresh();
  const result = await history.start(state.query);
  if (result.error) {
    showFilterError(result.error);
    $('#history-status').replaceChildren();
  }
}

function backToLive() {
  history.stop();
  state.mode = 'live';
  state.brush = undefined;
  timeline.brush = undefined;
  $('#history-back').hidden = true;
  $('#history-status').replaceChildren();
  // The box may have changed while the history was shown.
  applyQuery();
  refresh();
}

// ---- save as fixtures --------------------------------------------------------------------

async function saveFixtures() {
  const status = $('#save-result');
  status.textContent = 'Saving…';
  const response = await fetch('/__proxy/api/fixtures', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ids: [...state.picked] }) });
  const data = await response.json();
  if (!response.ok) {
    status.textContent = data.error;
    return;
  }
  const skipped = data.notSaved.length > 0 ? `; not saved: ${data.notSaved.map((item) => item.reason).join(', ')}` : '';
  status.textContent = `Saved ${data.written.length} fixture${data.written.length === 1 ? '' : 's'} to ${data.folder}${data.alreadyThere ? ` (${data.alreadyThere} already there)` : ''}${skipped}.`;
  for (const id of [...state.picked]) pick(id, false);
  list.render();
}

// ---- start -------------------------------------------------------------------------------

$('#save-fixtures').addEventListener('click', () => saveFixtures().catch((error) => ($('#save-result').textContent = error.message)));
$('#history-search').addEventListener('click', () => searchHistory());
$('#history-back').addEventListener('click', () => backToLive());

let typing;
$('#filter').addEventListener('input', (event) => {
  state.query = event.target.value;
  clearTimeout(typing);
  typing = setTimeout(() => (state.mode === 'live' ? applyQuery() : undefined), 120);
});
$('#filter').addEventListener('keydown', (event) => {
  if (event.key === 'Enter') {
    event.preventDefault();
    searchHistory();
  }
});

const typingInField = (target) => target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    if (typingInField(event.target)) {
      event.target.blur();
      return;
    }
    $('#detail').hidden = true;
    state.selectedId = undefined;
    list.select(undefined);
    return;
  }
  if (typingInField(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.key === '/') {
    event.preventDefault();
    $('#filter').focus();
    $('#filter').select();
  } else if (event.key === 'ArrowDown' || event.key === 'j') {
    event.preventDefault();
    list.move(1);
  } else if (event.key === 'ArrowUp' || event.key === 'k') {
    event.preventDefault();
    list.move(-1);
  } else if (event.key === 'Enter' && list.current) {
    event.preventDefault();
    open(list.current);
  }
});

load().then(connect, (error) => {
  $('#live').textContent = `cannot reach the proxy: ${error.message}`;
});
