// Numbers for people: rates in bits per second, byte and packet counts with SI prefixes.

const PREFIX = ['', 'k', 'M', 'G', 'T', 'P'];

function si(value, unit, digits = 1) {
  let v = Math.abs(value);
  let i = 0;
  while (v >= 1000 && i < PREFIX.length - 1) {
    v /= 1000;
    i += 1;
  }
  const sign = value < 0 ? '-' : '';
  const text = i === 0 ? String(Math.round(v)) : v.toFixed(v < 10 ? digits : 0);
  return `${sign}${text} ${PREFIX[i]}${unit}`;
}

export const bitRate = (bitsPerSecond) => si(bitsPerSecond, 'b/s');
export const packetRate = (perSecond) => si(perSecond, 'p/s');
export const bytes = (n) => si(n, 'B');
export const count = (n) => (n < 100000 ? String(n) : si(n, ''));

export function age(seconds) {
  if (seconds < 60) return `${seconds} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${seconds % 60} s`;
}

/** Reason names like DROP_VLAN_NOT_ALLOWED → "vlan not allowed". */
export function reason(name) {
  return name.replace(/^DROP_/, '').toLowerCase().replace(/_/g, ' ');
}
