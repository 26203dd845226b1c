// A small SVG line chart of a port's rates over the last minutes: received and sent bits per
// second, one sample a second, newest on the right.

import { bitRate } from './format.js';
import { HISTORY_SECONDS } from './state.js';

const SVG = 'http://www.w3.org/2000/svg';
const W = 400;
const H = 120;
const PAD_LEFT = 58;
const PAD_BOTTOM = 16;

function el(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

/** A "nice" axis maximum: 1, 2 or 5 times a power of ten, at least 1 kb/s. */
function niceMax(v) {
  const floor = Math.max(v, 1000);
  const p = 10 ** Math.floor(Math.log10(floor));
  for (const m of [1, 2, 5, 10]) if (m * p >= floor) return m * p;
  return 10 * p;
}

/**
 * @param samples [{t, rxBps, txBps}] oldest first
 * @return an <svg> element
 */
export function rateChart(samples) {
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'data-testid': 'rate-chart' });
  const max = niceMax(Math.max(0, ...samples.map((s) => Math.max(s.rxBps, s.txBps))));
  const plotW = W - PAD_LEFT - 4;
  const plotH = H - PAD_BOTTOM - 6;
  const x = (i) => PAD_LEFT + plotW - ((samples.length - 1 - i) / (HISTORY_SECONDS - 1)) * plotW;
  const y = (v) => 6 + plotH - (v / max) * plotH;
  for (const frac of [0, 0.5, 1]) {
    const yy = y(max * frac);
    svg.append(el('line', { x1: PAD_LEFT, x2: W - 4, y1: yy, y2: yy, class: 'grid' }));
    const label = el('text', { x: PAD_LEFT - 4, y: yy + 3, 'text-anchor': 'end', class: 'axis' });
    label.textContent = frac === 0 ? '0' : bitRate(max * frac);
    svg.append(label);
  }
  for (const [text, xx, anchor] of [[`-${HISTORY_SECONDS / 60} min`, PAD_LEFT, 'start'], ['now', W - 4, 'end']]) {
    const t = el('text', { x: xx, y: H - 3, 'text-anchor': anchor, class: 'axis' });
    t.textContent = text;
    svg.append(t);
  }
  for (const [key, cls] of [['rxBps', 'rx'], ['txBps', 'tx']]) {
    if (samples.length < 2) continue;
    const points = samples.map((s, i) => `${x(i).toFixed(1)},${y(s[key]).toFixed(1)}`).join(' ');
    svg.append(el('polyline', { points, class: `line ${cls}` }));
  }
  if (samples.length < 2) {
    const t = el('text', { x: PAD_LEFT + plotW / 2, y: H / 2, 'text-anchor': 'middle', class: 'axis' });
    t.textContent = 'collecting samples…';
    svg.append(t);
  }
  return svg;
}
