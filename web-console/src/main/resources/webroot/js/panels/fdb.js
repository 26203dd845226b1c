// The FDB panel: the MAC table with a text filter, live as stations are learned and expire, and a
// flush of learned entries by port and/or VLAN.

import { api } from '../api.js';
import { vlanColor } from '../colors.js';
import { h, replace, clearErrors, showErrors, notice } from '../dom.js';
import * as fmt from '../format.js';

const MAX_ROWS = 500;

export class FdbPanel {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.filter = h('input', { type: 'search', placeholder: 'filter: MAC, port or VLAN', 'data-testid': 'fdb-filter',
      oninput: () => this.renderRows() });
    this.flushPort = h('select', { name: 'port', 'aria-label': 'flush port' });
    this.flushVlan = h('input', { name: 'vlan', size: 5, placeholder: 'any', 'aria-label': 'flush VLAN' });
    this.status = h('div', { class: 'form-status' });
    this.form = h('form', { class: 'row', onsubmit: (e) => this.flush(e) },
      'Flush learned entries of port ', this.flushPort, ' VLAN ', this.flushVlan, ' ',
      h('button', { type: 'submit', 'data-testid': 'fdb-flush' }, 'Flush'), this.status);
    this.summary = h('p', { class: 'muted' });
    this.body = h('tbody');
    replace(root,
      h('h2', {}, 'Forwarding database'),
      this.filter, this.summary,
      h('div', { class: 'scroll' }, h('table', { class: 'grid', 'data-testid': 'fdb-table' },
        h('thead', {}, h('tr', {}, ['MAC', 'VLAN', 'port', 'age', ''].map((t) => h('th', {}, t)))), this.body)),
      this.form);
    ctx.store.on('fdb', () => this.renderRows());
    ctx.store.on('ports', () => this.renderPorts());
    ctx.store.on('switch', () => this.renderRows());
    this.renderPorts();
  }

  setFilter(text) {
    this.filter.value = text;
    this.renderRows();
  }

  renderPorts() {
    const current = this.flushPort.value;
    replace(this.flushPort, h('option', { value: '' }, 'any'),
      this.ctx.store.ports.map((p) => h('option', { value: p.name, selected: p.name === current }, p.name)));
  }

  renderRows() {
    const store = this.ctx.store;
    const q = this.filter.value.trim().toLowerCase();
    const all = [...store.fdb.values()].sort((a, b) => a.vlan - b.vlan || a.mac.localeCompare(b.mac));
    const shown = q ? all.filter((e) => e.mac.includes(q) || e.port.toLowerCase().includes(q) || String(e.vlan) === q) : all;
    const fdb = store.switchInfo && store.switchInfo.fdb;
    this.summary.textContent = `${shown.length} of ${all.length} entries`
      + (fdb ? ` · table holds ${fdb.entries} of ${fdb.capacity} · learned ${fdb.learned}, moved ${fdb.moved}, expired ${fdb.expired}, evicted ${fdb.evicted}` : '');
    replace(this.body, shown.slice(0, MAX_ROWS).map((e) => h('tr', { dataset: { mac: e.mac } },
      h('td', {}, h('code', {}, e.mac)),
      h('td', {}, h('span', { class: 'swatch', style: { background: vlanColor(e.vlan) } }), String(e.vlan)),
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => this.ctx.selectPort(e.port) }, e.port)),
      h('td', {}, e.static ? 'static' : fmt.age(e.ageSeconds)),
      h('td', {}, e.static ? '📌' : ''))),
    shown.length > MAX_ROWS ? h('tr', {}, h('td', { colspan: 5, class: 'muted' }, `${shown.length - MAX_ROWS} more; narrow the filter`)) : null);
  }

  async flush(ev) {
    ev.preventDefault();
    clearErrors(this.status, this.form);
    try {
      const res = await api.flushFdb(this.flushPort.value, this.flushVlan.value.trim());
      notice(this.status, `flushed ${res.flushed} entries`);
    } catch (e) {
      showErrors(this.status, this.form, e);
    }
  }
}
