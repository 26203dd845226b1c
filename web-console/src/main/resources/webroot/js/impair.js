// Link impairments in the console: what a port's `impair` says in words, and the body of
// PUT /api/v1/ports/{name}/impair that a form's values make. Pure functions; the editor in
// impair-editor.js is their DOM half.

export const DIRECTIONS = ['egress', 'ingress'];

/** The settings of one direction, as the API names them, with the units the form shows. */
export const FIELDS = [
  ['delayMs', 'delay', 'ms'],
  ['jitterMs', 'jitter', 'ms'],
  ['lossPercent', 'loss', '%'],
  ['duplicatePercent', 'duplicate', '%'],
  ['reorderPercent', 'reorder', '%'],
  ['rateKbit', 'rate', 'kbit/s'],
];

/** One direction in words ("delay 20 ms, loss 10 %"), or "none". */
export function directionText(d) {
  if (!d) return 'none';
  const parts = FIELDS.filter(([key]) => d[key] !== undefined && d[key] !== null && d[key] !== 0)
    .map(([key, label, unit]) => `${label} ${d[key]} ${unit}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** A port's impairment in words, or "none" when it has none. */
export function impairText(impair) {
  if (!impair || (!impair.egress && !impair.ingress)) return 'none';
  return DIRECTIONS.filter((dir) => impair[dir]).map((dir) => `${dir}: ${directionText(impair[dir])}`).join('; ');
}

/** A number when the text is one, otherwise the text itself, so that the API names the field. */
function value(text) {
  const t = String(text).trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

/**
 * The request body that sets `direction` to the form's `values` (field name -> text; empty means
 * absent) and keeps the other direction of `current` as it is.
 */
export function impairBody(current, direction, values) {
  const body = {};
  for (const dir of DIRECTIONS) {
    if (dir !== direction && current && current[dir]) body[dir] = { ...current[dir] };
  }
  const settings = {};
  for (const [key] of FIELDS) {
    const text = values[key];
    if (text !== undefined && text !== null && String(text).trim() !== '') settings[key] = value(text);
  }
  if (Object.keys(settings).length) body[direction] = settings;
  return body;
}

/** The request body that clears `direction` (null: both) and keeps the other one. */
export function clearedBody(current, direction) {
  return direction ? impairBody(current, direction, {}) : {};
}
