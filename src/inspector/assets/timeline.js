// The timeline above the list: each exchange a bar from its arrival to its end, its time at
// the API on the slot lanes (the limiter lets a certificate have 4 requests in flight) and its
// wait for a slot drawn apart on the lanes below. Lanes are filled greedily, so the number
// of slot lanes is how many calls were at the API at once. Drawn on a canvas, lane by lane,
// only the bars in view. Dragging selects a time range (the list then shows those); a click
// clears it; the wheel zooms, a double click shows everything again.
import { formatMs, plural } from './dom.js';

const AXIS = 18;
const SLOT_LANE = 14;
const QUEUE_LANE = 6;
const MAX_HEIGHT = 180;
const COLORS = { 2: '#2da44e', 3: '#bf8700', 4: '#d1670f', 5: '#cf222e', 0: '#8250df' };
const QUEUE_COLOR = '#e3b341';
// An exchange ends when its answer reached the client, a moment after its slot was freed for
// the next (and record times are whole milliseconds): a lane taken until up to this much after
// a start still counts as free then.
const SLOT_HANDOVER_MS = 5;

/** Greedy lanes: each item on the first lane free at its start. Items sorted by start; lanes keep theirs in order. */
function lanesOf(items, start, end) {
  const lanes = [];
  const ends = [];
  for (const item of [...items].sort((a, b) => start(a) - start(b))) {
    let lane = ends.findIndex((laneEnd) => laneEnd <= start(item) + SLOT_HANDOVER_MS);
    if (lane === -1) {
      lane = lanes.length;
      lanes.push([]);
      ends.push(0);
    }
    lanes[lane].push(item);
    ends[lane] = end(item);
  }
  return lanes;
}

/** The first index in a lane whose item ends at or after `time` (a lane's ends rise with its starts). */
function firstEndingAfter(lane, end, time) {
  let low = 0;
  let high = lane.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (end(lane[middle]) < time) low = middle + 1;
    else high = middle;
  }
  return low;
}

export class Timeline {
  constructor({ canvas, legend, onBrush }) {
    this.canvas = canvas;
    this.legend = legend;
    this.onBrush = onBrush;
    this.items = [];
    this.slots = [];
    this.queue = [];
    this.view = undefined;
    this.brush = undefined;
    this.drag = undefined;
    this.scheduled = false;
    new ResizeObserver(() => this.schedule()).observe(canvas);
    canvas.addEventListener('pointerdown', (event) => this.#down(event));
    canvas.addEventListener('pointermove', (event) => this.#move(event));
    canvas.addEventListener('pointerup', (event) => this.#up(event));
    canvas.addEventListener('wheel', (event) => this.#zoom(event), { passive: false });
    canvas.addEventListener('dblclick', () => {
      this.view = undefined;
      this.schedule();
    });
  }

  /** The exchanges to draw (summaries with time, durationMs, queuedMs, status). */
  setData(exchanges) {
    this.items = exchanges.map((exchange) => {
      // Number(): an odd record from an older version draws as a dot rather than stopping the page.
      const start = Date.parse(exchange.time) || 0;
      const duration = Math.max(Number(exchange.durationMs) || 0, 0.001);
      const queued = Math.min(Number(exchange.queuedMs) || 0, duration);
      return { exchange, start, atApi: start + queued, end: start + duration, queued };
    }).filter((item) => item.start > 0);
    this.slots = lanesOf(this.items, (item) => item.atApi, (item) => item.end);
    this.queue = lanesOf(this.items.filter((item) => item.queued >= 0.5), (item) => item.start, (item) => item.atApi);
    this.#describe();
    this.schedule();
  }

  #describe() {
    const waited = this.items.filter((item) => item.queued >= 0.5);
    const longest = waited.reduce((max, item) => Math.max(max, item.queued), 0);
    const total = waited.reduce((sum, item) => sum + item.queued, 0);
    this.canvas.dataset.slots = String(this.slots.length);
    this.canvas.dataset.queued = String(waited.length);
    this.legend.textContent = this.items.length === 0
      ? 'No exchanges to draw.'
      : `${plural(this.items.length, 'exchange')}; at most ${this.slots.length} at the API at once; ${waited.length === 0 ? 'none waited for a slot' : `${waited.length} waited for a slot (longest ${formatMs(longest)}, ${formatMs(total)} in all)`}.${this.brush ? ' Click the timeline to clear the selected range.' : ' Drag across it to show a time range in the list.'}`;
  }

  #extent() {
    if (this.view) return this.view;
    if (this.items.length === 0) return [Date.now() - 60_000, Date.now()];
    let low = Infinity;
    let high = -Infinity;
    for (const item of this.items) {
      if (item.start < low) low = item.start;
      if (item.end > high) high = item.end;
    }
    const pad = Math.max((high - low) * 0.02, 5);
    return [low - pad, high + pad];
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.draw();
    });
  }

  #geometry() {
    const width = this.canvas.clientWidth;
    const slotLane = Math.min(SLOT_LANE, Math.max(2, (MAX_HEIGHT * 0.65) / Math.max(1, this.slots.length)));
    const queueLane = Math.min(QUEUE_LANE, Math.max(1, (MAX_HEIGHT * 0.35) / Math.max(1, this.queue.length)));
    const slotsHeight = Math.max(1, this.slots.length) * slotLane;
    const height = AXIS + slotsHeight + (this.queue.length ? 6 + this.queue.length * queueLane : 0) + 4;
    const [from, to] = this.#extent();
    return { width, height, slotLane, queueLane, slotsTop: AXIS, queueTop: AXIS + slotsHeight + 6, from, to, scale: width / (to - from) };
  }

  draw() {
    const g = this.#geometry();
    const ratio = window.devicePixelRatio || 1;
    if (this.canvas.style.height !== `${g.height}px`) this.canvas.style.height = `${g.height}px`;
    this.canvas.width = Math.max(1, Math.round(g.width * ratio));
    this.canvas.height = Math.round(g.height * ratio);
    const context = this.canvas.getContext('2d');
    context.scale(ratio, ratio);
    context.clearRect(0, 0, g.width, g.height);
    const x = (time) => (time - g.from) * g.scale;
    this.#axis(context, g, x);
    const drawLanes = (lanes, top, laneHeight, start, end, color) => {
      lanes.forEach((lane, index) => {
        const y = top + index * laneHeight;
        for (let at = firstEndingAfter(lane, end, g.from); at < lane.length; at++) {
          const item = lane[at];
          if (start(item) > g.to) break;
          const left = x(start(item));
          context.fillStyle = color(item);
          context.fillRect(left, y + 1, Math.max(1, x(end(item)) - left), Math.max(1, laneHeight - 2));
        }
      });
    };
    drawLanes(this.slots, g.slotsTop, g.slotLane, (item) => item.atApi, (item) => item.end, (item) => COLORS[Math.floor(item.exchange.status / 100)] ?? COLORS[0]);
    if (this.queue.length) {
      context.fillStyle = '#888';
      context.font = '10px system-ui, sans-serif';
      context.fillText('waiting for a slot', 4, g.queueTop - 1);
      drawLanes(this.queue, g.queueTop, g.queueLane, (item) => item.start, (item) => item.atApi, () => QUEUE_COLOR);
    }
    const range = this.drag ? [this.drag.from, this.drag.to].sort((a, b) => a - b) : this.brush;
    if (range) {
      context.fillStyle = 'rgba(11, 92, 173, 0.18)';
      context.fillRect(x(range[0]), AXIS, Math.max(1, x(range[1]) - x(range[0])), g.height - AXIS);
    }
  }

  #axis(context, g, x) {
    const span = g.to - g.from;
    const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000];
    const step = steps.find((candidate) => span / candidate <= Math.max(2, g.width / 90)) ?? 43_200_000;
    context.fillStyle = '#888';
    context.strokeStyle = 'rgba(128, 128, 128, 0.25)';
    context.font = '10px system-ui, sans-serif';
    for (let tick = Math.ceil(g.from / step) * step; tick <= g.to; tick += step) {
      const left = Math.round(x(tick)) + 0.5;
      context.beginPath();
      context.moveTo(left, AXIS - 4);
      context.lineTo(left, g.height);
      context.stroke();
      const d = new Date(tick);
      const pad = (n, w = 2) => String(n).padStart(w, '0');
      const label = step < 1000 ? `${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}` : `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
      context.fillText(label, left + 2, 10);
    }
  }

  #time(event) {
    const g = this.#geometry();
    const left = event.clientX - this.canvas.getBoundingClientRect().left;
    return g.from + left / g.scale;
  }

  #down(event) {
    this.canvas.setPointerCapture(event.pointerId);
    const time = this.#time(event);
    this.drag = { from: time, to: time, x: event.clientX };
  }

  #move(event) {
    if (this.drag) {
      this.drag.to = this.#time(event);
      this.schedule();
      return;
    }
    this.canvas.title = this.#hoverText(event);
  }

  #up(event) {
    if (!this.drag) return;
    const moved = Math.abs(event.clientX - this.drag.x) >= 3;
    const range = [this.drag.from, this.#time(event)].sort((a, b) => a - b);
    this.drag = undefined;
    this.setBrush(moved ? range : undefined);
  }

  setBrush(range) {
    this.brush = range;
    this.#describe();
    this.schedule();
    this.onBrush(range);
  }

  #zoom(event) {
    event.preventDefault();
    const [from, to] = this.#extent();
    const at = this.#time(event);
    const factor = event.deltaY > 0 ? 1.25 : 0.8;
    this.view = [at - (at - from) * factor, at + (to - at) * factor];
    this.schedule();
  }

  #hoverText(event) {
    const g = this.#geometry();
    const y = event.clientY - this.canvas.getBoundingClientRect().top;
    const time = this.#time(event);
    const tolerance = 3 / g.scale;
    const find = (lane, start, end) => lane?.find((item) => start(item) - tolerance <= time && end(item) + tolerance >= time);
    let item;
    if (y >= g.slotsTop && y < g.slotsTop + this.slots.length * g.slotLane) item = find(this.slots[Math.floor((y - g.slotsTop) / g.slotLane)], (i) => i.atApi, (i) => i.end);
    else if (y >= g.queueTop) item = find(this.queue[Math.floor((y - g.queueTop) / g.queueLane)], (i) => i.start, (i) => i.atApi);
    if (!item) return '';
    const exchange = item.exchange;
    return `${exchange.method} ${exchange.url} → ${exchange.status}\n${formatMs(exchange.durationMs)}${item.queued >= 0.5 ? `, of which ${formatMs(item.queued)} waiting for a slot` : ''}`;
  }
}
