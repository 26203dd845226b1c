// The FDB panel: the MAC table with a text filter, live as stations are learned and expire, and a
// flush of learned entries by port and/or VLAN.
//
// In a fabric it shows any host's table (another host's from /hosts/{host}/fdb, kept current by
// its events, and without the flush, which this agent's API does on this host alone), and says
// which host each station learned through a tunnel sits behind.

import { api } from '../api.js';
import { vlanColor } from '../colors.js';
import { h, replace, clearErrors, showErrors, notice } from '../dom.js';
import * as fmt from '../format.js';
import * as S from '../state.js';
import { hostPicker, remoteNote } from './hosts.js';

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
    this.head = h('thead');
    this.title = h('h2', {}, 'Forwarding database');
    this.note = h('div');
    this.host = null; // null: this host
    this.table = h('table', { class: 'grid', 'data-testid': 'fdb-table' }, this.head, this.body);
    replace(root,
      this.title, this.note,
      this.filter, this.summary,
      h('div', { class: 'scroll' }, this.table),
      this.form);
    ctx.store.on('fdb', () => this.renderRows());
    ctx.store.on('ports', () => this.renderPorts());
    ctx.store.on('switch', () => this.renderRows());
    ctx.store.on('fabric', () => this.renderHost());
    this.renderHost();
    this.renderPorts();
  }

  setFilter(text) {
    this.filter.value = text;
    this.renderRows();
  }

  /** Shows the table of `host` (null: this host), opening a remote host to fetch it. */
  showHost(host) {
    const remote = !S.isLocal(this.ctx.store.state, host);
    this.host = remote ? host : null;
    if (remote) this.ctx.store.openHost(host);
    this.renderHost(true);
    this.renderRows();
  }

  /**
   * The title, host picker and read-only note; the flush form for this host only. Redrawn when
   * what it shows changed, and not while a user is choosing in one of its lists (unless `force`:
   * the user just chose a host).
   */
  renderHost(force = false) {
    const store = this.ctx.store;
    const f = this.host && S.fabricHost(store.state, this.host);
    const signature = JSON.stringify([this.host, S.clustered(store.state), S.fabricHosts(store.state).map((x) => [x.host, x.state]),
      f && f.apiUrl]);
    const choosing = this.root.contains(document.activeElement) && document.activeElement.tagName === 'SELECT';
    if (!force && (signature === this.signature || choosing)) return;
    this.signature = signature;
    const picker = hostPicker(store, this.host, (picked) => this.showHost(picked), 'fdb-host');
    replace(this.title, picker ? [h('span', {}, 'Forwarding database '), picker] : 'Forwarding database');
    replace(this.note, this.host ? remoteNote(store, this.host, 'The MAC table') : null);
    this.form.hidden = this.host !== null;
    if (this.table.dataset.host !== (this.host || '')) this.table.dataset.host = this.host || '';
  }

  renderPorts() {
    const current = this.flushPort.value;
    replace(this.flushPort, h('option', { value: '' }, 'any'),
      this.ctx.store.ports.map((p) => h('option', { value: p.name, selected: p.name === current }, p.name)));
  }

  /** The tab was opened: draws the table if it changed while hidden. */
  shown() {
    if (this.dirty) this.renderRows();
  }

  renderRows() {
    // A hidden table of 2 000 MACs is not redrawn for each burst of learned MACs: once, when shown.
    this.dirty = this.root.hidden;
    if (this.dirty) return;
    const store = this.ctx.store;
    const { host } = this;
    const state = store.state;
    // In a fabric, a column says which host a station learned through a tunnel sits behind.
    const fabric = S.clustered(state);
    const behind = (e) => (fabric ? S.entryHost(state, e, host) || '' : '');
    const columns = fabric ? ['MAC', 'VLAN', 'port', 'behind host', 'age', ''] : ['MAC', 'VLAN', 'port', 'age', ''];
    if (this.head.dataset.columns !== columns.join()) {
      this.head.dataset.columns = columns.join();
      replace(this.head, h('tr', {}, columns.map((t) => h('th', {}, t))));
    }
    const q = this.filter.value.trim().toLowerCase();
    const all = [...S.hostFdb(state, host).values()].sort((a, b) => a.vlan - b.vlan || a.mac.localeCompare(b.mac));
    const shown = q ? all.filter((e) => e.mac.includes(q) || e.port.toLowerCase().includes(q) || String(e.vlan) === q
      || (fabric && behind(e).toLowerCase() === q)) : all;
    if (host !== null) {
      this.summary.textContent = S.hostLoaded(state, host, 'fdb') ? `${shown.length} of ${all.length} entries on host ${host}`
        : `Loading the MAC table of host ${host}…`;
    } else {
      const fdb = store.switchInfo && store.switchInfo.fdb;
      this.summary.textContent = `${shown.length} of ${all.length} entries`
        + (fdb ? ` · table holds ${fdb.entries} of ${fdb.capacity} · learned ${fdb.learned}, moved ${fdb.moved}, expired ${fdb.expired}, evicted ${fdb.evicted}` : '');
    }
    replace(this.body, shown.slice(0, MAX_ROWS).map((e) => h('tr', { dataset: { mac: e.mac, port: e.port } },
      h('td', {}, h('code', {}, e.mac)),
      h('td', {}, h('span', { class: 'swatch', style: { background: vlanColor(e.vlan) } }), String(e.vlan)),
      h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => this.ctx.selectPort(e.port, host) }, e.port)),
      fabric ? h('td', {}, behind(e)) : null,
      h('td', {}, e.static ? 'static' : fmt.age(e.ageSeconds)),
      h('td', {}, e.static ? '📌' : ''))),
    shown.length > MAX_ROWS ? h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, `${shown.length - MAX_ROWS} more; narrow the filter`)) : null);
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
