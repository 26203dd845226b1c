// One color per VLAN, stable across reloads and sessions: hues spaced by the golden angle, so
// neighbouring VLAN IDs get clearly different colors.

const UNTAGGED = '#78909c';

export function vlanColor(vid) {
  if (vid === null || vid === undefined || vid === 0) return UNTAGGED;
  const hue = Math.round((vid * 137.508) % 360);
  return `hsl(${hue}, 65%, 45%)`;
}

export function vlanLight(vid) {
  if (vid === null || vid === undefined || vid === 0) return '#cfd8dc';
  const hue = Math.round((vid * 137.508) % 360);
  return `hsl(${hue}, 70%, 82%)`;
}

export function vlanLabel(vid) {
  return vid === 0 ? 'untagged (0)' : `VLAN ${vid}`;
}

/** A tunnel's color by its health, as this host's probes of the peer give it. */
export const TUNNEL_COLORS = Object.freeze({ up: '#2e7d32', down: '#c62828', 'mtu-bad': '#ef6c00', unknown: '#90a4ae' });
