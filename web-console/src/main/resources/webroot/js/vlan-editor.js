// The form that changes one port's VLAN settings (PUT /api/v1/ports/{name}/vlan), used by the
// port panel and by every row of the VLAN matrix. Values go to the API as typed; the API's
// validation is the only one, and its reasons appear next to the fields they name.

import { api } from './api.js';
import { h, clearErrors, showErrors, notice } from './dom.js';

export const MODES = ['access', 'trunk', 'native-untagged', 'native-tagged', 'dot1q-tunnel'];

/** A number when the text is one, otherwise the text itself (so the API reports it). */
function numberOrText(text) {
  const t = text.trim();
  return /^\d+$/.test(t) ? Number(t) : t;
}

export function vlanEditor(port, { compact = false, onApplied = () => {} } = {}) {
  const vlan = port.vlan || { mode: 'trunk' };
  const status = h('div', { class: 'form-status' });
  const mode = h('select', { name: 'mode', 'aria-label': 'VLAN mode' },
    MODES.map((m) => h('option', { value: m, selected: m === vlan.mode }, m)));
  const tag = h('input', { name: 'tag', size: 4, placeholder: 'tag', 'aria-label': 'VLAN tag', value: vlan.tag ?? '' });
  const trunks = h('input', { name: 'trunks', size: compact ? 8 : 14, placeholder: 'all', 'aria-label': 'trunk VLANs',
    value: vlan.trunks ?? '' });
  const apply = h('button', { type: 'submit', 'data-testid': 'vlan-apply' }, 'Apply');
  const form = h('form', { class: compact ? 'vlan-editor compact' : 'vlan-editor', dataset: { port: port.name } },
    compact ? null : h('label', {}, 'mode '), mode,
    compact ? null : h('label', {}, ' tag '), tag,
    compact ? null : h('label', {}, ' trunks '), trunks,
    ' ', apply, status);
  const sync = () => {
    tag.disabled = mode.value === 'trunk';
    trunks.disabled = mode.value === 'access' || mode.value === 'dot1q-tunnel';
  };
  mode.addEventListener('change', sync);
  sync();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { mode: mode.value };
    if (!tag.disabled && tag.value.trim() !== '') body.tag = numberOrText(tag.value);
    if (!trunks.disabled && trunks.value.trim() !== '') body.trunks = trunks.value.trim();
    if (vlan.tpid && mode.value === vlan.mode) body.tpid = vlan.tpid;
    clearErrors(status, form);
    apply.disabled = true;
    try {
      const updated = await api.setVlan(port.name, body);
      notice(status, `saved: ${updated.vlan.mode}${updated.vlan.tag ? ` ${updated.vlan.tag}` : ''}`);
      onApplied(updated);
    } catch (e) {
      showErrors(status, form, e);
    } finally {
      apply.disabled = false;
    }
  });
  return form;
}
