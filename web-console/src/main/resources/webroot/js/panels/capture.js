// The capture button: downloads a pcap of a few seconds of one port's traffic from the agent's
// GET /api/v1/ports/{name}/capture. The button still looks the route up in the agent's OpenAPI
// document first, so that against an agent built without capture it stays disabled and says why
// instead of failing on click.

import { api, authHeaders, url } from '../api.js';
import { h } from '../dom.js';

const CAPTURE_SECONDS = 10;
/** The route the console knows how to use: a pcap of one port for a few seconds. */
const ROUTE = '/ports/{name}/capture';

export class CaptureButton {
  constructor(ctx) {
    this.ctx = ctx;
    this.available = null;
    api.openApi()
      .then((doc) => {
        const paths = (doc && doc.paths) || {};
        this.available = !!(paths[ROUTE] || paths[`/api/v1${ROUTE}`]);
      })
      .catch(() => { this.available = false; })
      .finally(() => document.querySelectorAll('[data-testid="capture"]').forEach((b) => this.update(b)));
  }

  update(button) {
    button.disabled = !this.available;
    button.title = this.available
      ? `capture ${CAPTURE_SECONDS} s of this port's traffic and download it as pcap`
      : `this agent does not offer capture (GET /api/v1${ROUTE})`;
    const note = button.nextElementSibling;
    if (note && note.classList.contains('capture-note')) note.hidden = !!this.available;
  }

  element(portName) {
    const status = h('span', { class: 'form-status inline' });
    const button = h('button', {
      type: 'button',
      'data-testid': 'capture',
      onclick: () => this.download(portName, button, status),
    }, `Capture ${CAPTURE_SECONDS} s (pcap)`);
    const note = h('span', { class: 'capture-note muted' }, ' this agent does not offer capture');
    this.update(button);
    const wrap = h('span', {}, button, note, status);
    queueMicrotask(() => this.update(button));
    return wrap;
  }

  async download(portName, button, status) {
    button.disabled = true;
    status.textContent = ' capturing…';
    try {
      const res = await fetch(url(`/ports/${encodeURIComponent(portName)}/capture?seconds=${CAPTURE_SECONDS}`),
        { headers: authHeaders(), cache: 'no-store' });
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        throw new Error(body && body.errors ? body.errors.map((e) => e.reason).join('; ') : `HTTP ${res.status}`);
      }
      const blob = await res.blob();
      const a = h('a', { href: URL.createObjectURL(blob), download: `${portName}-${Date.now()}.pcap` });
      document.body.append(a);
      a.click();
      a.remove();
      status.textContent = ` saved ${blob.size} bytes`;
    } catch (e) {
      status.textContent = ` capture failed: ${e.message}`;
      status.classList.add('error');
    } finally {
      button.disabled = false;
    }
  }
}
