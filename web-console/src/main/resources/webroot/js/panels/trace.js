// The trace panel: builds a probe frame (in-port, source, destination, optional tag, ethertype),
// asks the agent where it would go (POST /api/v1/trace, never learned from or sent) and shows
// the verdict with the chain of decisions that led to it; the topology marks the ports involved.

import { api, ApiError } from '../api.js';
import { h, replace, clearErrors, showErrors } from '../dom.js';

function numberOrText(text) {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  return /^\d+$/.test(t) ? Number(t) : t;
}

export class TracePanel {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.inPort = h('select', { name: 'inPort', 'aria-label': 'ingress port' });
    this.status = h('div', { class: 'form-status' });
    this.result = h('div', { 'data-testid': 'trace-result' });
    this.form = h('form', { class: 'trace-form', onsubmit: (e) => this.run(e) },
      h('label', {}, 'enters on ', this.inPort),
      h('label', {}, 'source MAC ', h('input', { name: 'src', size: 17, value: '02:00:00:00:00:01' })),
      h('label', {}, 'destination MAC ', h('input', { name: 'dst', size: 17, value: 'ff:ff:ff:ff:ff:ff' })),
      h('label', {}, '802.1Q tag: VLAN ', h('input', { name: 'vlan', size: 5, placeholder: 'none' })),
      h('label', {}, ' priority ', h('input', { name: 'pcp', size: 2, placeholder: '0' })),
      h('label', {}, 'ethertype ', h('input', { name: 'ethertype', size: 7, value: '0x0800' })),
      h('div', {},
        h('button', { type: 'submit', 'data-testid': 'trace-run' }, 'Trace'), ' ',
        h('button', { type: 'button', onclick: () => { replace(this.result); ctx.topology.showTrace(null, []); } }, 'Clear')),
      this.status);
    replace(root, h('h2', {}, 'Packet trace'),
      h('p', { class: 'muted' }, 'Where would this frame go, and why? Nothing is learned or sent.'),
      this.form, this.result);
    ctx.store.on('ports', () => this.renderPorts());
    this.renderPorts();
  }

  renderPorts() {
    const keep = this.inPort.value;
    replace(this.inPort, this.ctx.store.ports.map((p) => h('option', { value: p.name, selected: p.name === keep }, p.name)));
  }

  /** Prefills the form with a station: frames from it, to broadcast. */
  from(mac, port) {
    this.form.elements.src.value = mac;
    this.inPort.value = port;
  }

  async run(ev) {
    ev.preventDefault();
    const f = this.form.elements;
    const probe = { inPort: this.inPort.value, src: f.src.value.trim(), dst: f.dst.value.trim() };
    if (f.vlan.value.trim()) probe.vlan = numberOrText(f.vlan.value);
    if (f.pcp.value.trim()) probe.pcp = numberOrText(f.pcp.value);
    if (f.ethertype.value.trim()) probe.ethertype = numberOrText(f.ethertype.value);
    clearErrors(this.status, this.form);
    try {
      const r = await api.trace(probe);
      const kind = r.drop ? 'drop' : r.verdict.startsWith('FLOOD') ? 'flood' : 'forward';
      replace(this.result,
        h('div', { class: `verdict ${kind}`, 'data-testid': 'trace-verdict' }, r.verdict),
        h('p', {}, r.description),
        h('p', {}, `classified to VLAN ${r.vlan}; `, r.egress.length ? `leaves through ${r.egress.join(', ')}` : 'leaves through no port'),
        h('ol', { class: 'steps', 'data-testid': 'trace-steps' }, r.steps.map((s) => h('li', {}, s))));
      this.ctx.topology.showTrace(probe.inPort, r.egress);
    } catch (e) {
      replace(this.result);
      this.ctx.topology.showTrace(null, []);
      showErrors(this.status, this.form, e instanceof ApiError ? e : new ApiError(0, [{ field: '', reason: String(e) }]));
    }
  }
}
