// The port panel's link impairment form (PUT /api/v1/ports/{name}/impair): one direction at a time,
// the other kept; "Clear" removes both. The API's validation is the only one, and its reasons
// appear next to the fields they name.

import { api } from './api.js';
import { h, clearErrors, showErrors, notice } from './dom.js';
import { DIRECTIONS, FIELDS, clearedBody, impairBody, impairText } from './impair.js';

export function impairEditor(port) {
  const current = port.impair || null;
  const status = h('div', { class: 'form-status' });
  const direction = h('select', { name: 'direction', 'aria-label': 'direction', 'data-testid': 'impair-direction' },
    DIRECTIONS.map((d) => h('option', { value: d }, d)));
  const inputs = FIELDS.map(([key, label, unit]) => h('input', {
    name: key, size: 6, placeholder: unit, 'aria-label': `${label} (${unit})`, title: `${label} (${unit})`,
  }));
  const fill = () => {
    const d = (current && current[direction.value]) || {};
    inputs.forEach((input) => { input.value = d[input.name] ?? ''; });
  };
  direction.addEventListener('change', fill);
  fill();
  const apply = h('button', { type: 'submit', 'data-testid': 'impair-apply' }, 'Apply');
  const clear = h('button', { type: 'button', 'data-testid': 'impair-clear' }, 'Clear');
  const form = h('form', { class: 'impair-editor', dataset: { port: port.name } },
    h('p', { 'data-testid': 'impair-now' }, impairText(current)),
    direction, ' ',
    FIELDS.map(([, label], i) => [h('label', {}, ` ${label} `), inputs[i]]),
    ' ', apply, ' ', clear, status);
  const send = async (body) => {
    clearErrors(status, form);
    apply.disabled = true;
    clear.disabled = true;
    try {
      const updated = await api.setImpair(port.name, body);
      notice(status, `saved: ${impairText(updated.impair)}`);
    } catch (e) {
      // Errors name fields under the direction (egress.lossPercent): the form shows one direction.
      showErrors(status, form, e);
    } finally {
      apply.disabled = false;
      clear.disabled = false;
    }
  };
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const values = Object.fromEntries(inputs.map((input) => [input.name, input.value]));
    send(impairBody(current, direction.value, values));
  });
  clear.addEventListener('click', () => send(clearedBody(current, null)));
  return form;
}
