// Small DOM helpers: element building, and showing API errors in place.

/**
 * Creates an element. attrs: properties and attributes (on* functions become listeners,
 * `dataset`/`style` objects are merged); children: nodes, strings, or arrays of them (null skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'dataset' || k === 'style') {
      Object.assign(el[k], v);
    } else if (k === 'class') {
      el.className = v;
    } else if (k in el && typeof v !== 'string') {
      el[k] = v;
    } else {
      el.setAttribute(k, v === true ? '' : v);
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) {
      append(el, c);
    } else {
      el.append(c instanceof Node ? c : String(c));
    }
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** The control an API field path refers to: "vlan.tag" or "tag" → [name=tag]; "srcPorts[1]" → [name=srcPorts]. */
function controlFor(form, field) {
  if (!form || !field) return null;
  const parts = field.replace(/\[\d+\]/g, '').split('.');
  for (let i = parts.length - 1; i >= 0; i--) {
    const el = form.querySelector(`[name="${CSS.escape(parts[i])}"]`);
    if (el) return el;
  }
  return null;
}

export function clearErrors(box, form) {
  if (box) box.replaceChildren();
  if (form) {
    form.querySelectorAll('.invalid').forEach((el) => el.classList.remove('invalid'));
    form.querySelectorAll('.field-error').forEach((el) => el.remove());
  }
}

/**
 * Shows an ApiError where it happened: each reason next to the control its field names, the rest
 * (and always a summary) in `box`. Anything else thrown is shown as its message.
 */
export function showErrors(box, form, err) {
  clearErrors(box, form);
  const errors = err && Array.isArray(err.errors) ? err.errors : [{ field: '', reason: String(err && err.message || err) }];
  const list = h('ul', { class: 'error-list', 'data-testid': 'errors' });
  for (const e of errors) {
    const control = controlFor(form, e.field);
    if (control) {
      control.classList.add('invalid');
      control.insertAdjacentElement('afterend', h('span', { class: 'field-error' }, e.reason));
    }
    list.append(h('li', {}, e.field ? h('code', {}, e.field) : null, e.field ? ': ' : null, e.reason));
  }
  const status = err && err.status ? ` (HTTP ${err.status})` : '';
  if (box) box.append(h('div', { class: 'error-title' }, `The agent refused this${status}:`), list);
}

export function notice(box, text) {
  if (box) replace(box, h('div', { class: 'notice' }, text));
}
