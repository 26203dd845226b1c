// The mirrors panel: every mirror with what it selects, where copies go and its counters; a form
// to create one (SPAN to a port, or RSPAN into a VLAN) and a delete button per mirror.

import { api } from '../api.js';
import { h, replace, clearErrors, showErrors, notice } from '../dom.js';
import * as fmt from '../format.js';

function selectedValues(select) {
  return [...select.selectedOptions].map((o) => o.value);
}

function numberOrText(text) {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : t;
}

export class MirrorPanel {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.list = h('div', { 'data-testid': 'mirror-list' });
    this.listStatus = h('div', { class: 'form-status' });
    this.status = h('div', { class: 'form-status' });
    this.src = h('select', { name: 'srcPorts', multiple: true, size: 5, 'aria-label': 'source ports' });
    this.dst = h('select', { name: 'dstPorts', multiple: true, size: 5, 'aria-label': 'destination ports' });
    this.output = h('select', { name: 'outputPort', 'aria-label': 'output port' });
    this.form = h('form', { class: 'mirror-form', 'data-testid': 'mirror-form', onsubmit: (e) => this.create(e) },
      h('label', {}, 'name ', h('input', { name: 'name', size: 16, required: true })),
      h('div', { class: 'cols' },
        h('label', {}, 'frames entering', this.src),
        h('label', {}, 'frames leaving', this.dst)),
      h('label', {}, 'VLANs ', h('input', { name: 'vlans', size: 12, placeholder: 'e.g. 10,20-29' })),
      h('label', {}, h('input', { name: 'all', type: 'checkbox' }), ' every frame'),
      h('div', {},
        h('label', {}, 'copies to port ', this.output),
        h('label', {}, ' or RSPAN VLAN ', h('input', { name: 'outputVlan', size: 5 }))),
      h('label', {}, 'snaplen ', h('input', { name: 'snaplen', size: 6, placeholder: 'whole' }), ' bytes'),
      h('div', {}, h('button', { type: 'submit', 'data-testid': 'mirror-create' }, 'Create mirror')),
      this.status);
    replace(root, h('h2', {}, 'Mirrors'), this.list, this.listStatus, h('h3', {}, 'New mirror'), this.form);
    ctx.store.on('mirrors', () => this.renderList());
    ctx.store.on('ports', () => this.renderPorts());
    this.renderPorts();
    this.renderList();
  }

  renderPorts() {
    const names = this.ctx.store.ports.map((p) => p.name);
    for (const select of [this.src, this.dst]) {
      const keep = new Set(selectedValues(select));
      replace(select, names.map((n) => h('option', { value: n, selected: keep.has(n) }, n)));
    }
    const out = this.output.value;
    replace(this.output, h('option', { value: '' }, '(none)'),
      names.map((n) => h('option', { value: n, selected: n === out }, n)));
  }

  renderList() {
    const mirrors = this.ctx.store.mirrors;
    if (mirrors.length === 0) {
      replace(this.list, h('p', { class: 'muted' }, 'No mirrors.'));
      return;
    }
    replace(this.list, h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, ['name', 'selects', 'copies to', 'copied', 'failed', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, mirrors.map((m) => {
        const c = m.config;
        const selects = [
          c.all ? 'every frame' : null,
          c.srcPorts && c.srcPorts.length ? `in: ${c.srcPorts.join(', ')}` : null,
          c.dstPorts && c.dstPorts.length ? `out: ${c.dstPorts.join(', ')}` : null,
          c.vlans ? `VLANs ${c.vlans}` : null,
        ].filter(Boolean).join('; ');
        const stats = m.stats || { copied: 0, failed: 0 };
        return h('tr', { dataset: { mirror: c.name } },
          h('td', {}, c.name), h('td', {}, selects),
          h('td', {}, c.outputPort ? c.outputPort : `RSPAN VLAN ${c.outputVlan}`, c.snaplen ? ` (${c.snaplen} B)` : ''),
          h('td', { class: 'num' }, fmt.count(stats.copied)), h('td', { class: 'num' }, fmt.count(stats.failed)),
          h('td', {}, h('button', { type: 'button', 'data-testid': 'mirror-delete', onclick: () => this.remove(c.name) }, 'Delete')));
      }))));
  }

  async create(ev) {
    ev.preventDefault();
    const f = this.form.elements;
    const spec = { name: f.name.value.trim() };
    const src = selectedValues(this.src);
    const dst = selectedValues(this.dst);
    if (src.length) spec.srcPorts = src;
    if (dst.length) spec.dstPorts = dst;
    if (f.vlans.value.trim()) spec.vlans = f.vlans.value.trim();
    if (f.all.checked) spec.all = true;
    if (this.output.value) spec.outputPort = this.output.value;
    if (f.outputVlan.value.trim()) spec.outputVlan = numberOrText(f.outputVlan.value);
    if (f.snaplen.value.trim()) spec.snaplen = numberOrText(f.snaplen.value);
    clearErrors(this.status, this.form);
    try {
      const created = await api.addMirror(spec);
      notice(this.status, `mirror ${created.config.name} created`);
      this.form.reset();
      [this.src, this.dst].forEach((s) => [...s.options].forEach((o) => { o.selected = false; }));
    } catch (e) {
      showErrors(this.status, this.form, e);
    }
  }

  async remove(name) {
    clearErrors(this.listStatus);
    try {
      await api.removeMirror(name);
      notice(this.listStatus, `mirror ${name} deleted`);
    } catch (e) {
      showErrors(this.listStatus, null, e);
    }
  }
}
