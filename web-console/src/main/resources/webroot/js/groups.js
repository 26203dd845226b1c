// The lab-scale drawing of one switch: past GROUP_THRESHOLD ports a ring of port nodes shows
// nothing a person can use, so ports are drawn in groups, one per VLAN (access ports by their
// tag, trunks and tunnel ports together), each a grid of port nodes inside a compound node. Pure
// (no cytoscape, no DOM), like graph.js, which calls it.
//
// Stations are not drawn one by one at this scale (2 000 MACs would bury the ports): each port
// shows how many it has in a badge, and a port that is expanded (selected, or zoomed into) lists
// its stations in a column to the right of its group, in room every group keeps free for that,
// so that expanding a port moves nothing.
//
// Positions are stable as ports come and go: each port keeps the grid slot it was given (the
// slots are handed back to the caller to keep, and given in again), a new port takes the first
// free slot, and a group keeps its number of columns once chosen, so it grows only downwards.

/** More ports than this on one switch, and they are drawn in VLAN groups instead of on a ring. */
export const GROUP_THRESHOLD = 40;

/** Grid cell of one port (its node is 34 px, its badge sticks out 8 px). */
export const CELL = 52;
/** Room right of a group's grid for the stations of its expanded ports. */
export const GUTTER = 150;
/** Between two groups, and between the switch and the first row of groups. */
export const GROUP_GAP = 80;
/** Vertical distance between two stations listed in a gutter. */
export const STATION_ROW = 22;
/** Most stations listed for one expanded port; the rest are counted in a last node. */
export const MAX_LISTED = 24;

/** The group a port is drawn in: its access VLAN, or 'trunk' for trunks and tunnel ports. */
export function groupOf(port) {
  const v = port.vlan || { mode: 'trunk' };
  if ((v.mode === 'access' || v.mode === 'dot1q-tunnel') && v.tag) return `vlan${v.tag}`;
  return 'trunk';
}

/** The VLAN of a group key, or null for the trunk group. */
export function groupVlan(key) {
  return key.startsWith('vlan') ? Number(key.slice(4)) : null;
}

/** Compares names with their numbers as numbers: p2 before p10. */
export function naturalCompare(a, b) {
  return NATURAL.compare(a, b);
}

const NATURAL = new Intl.Collator('en', { numeric: true });

/**
 * Grid slots for the ports of each group, keeping those given in `previous`.
 *
 * @param byGroup Map group key -> port names
 * @param previous Map group key -> {cols, slots: Map name -> index}, from an earlier call, or none
 * @return Map group key -> {cols, slots}, for the groups that have ports now
 */
export function assignSlots(byGroup, previous = new Map()) {
  const result = new Map();
  for (const [key, names] of byGroup) {
    const before = previous.get(key);
    const cols = before ? before.cols : Math.max(4, Math.ceil(Math.sqrt(names.length)));
    const slots = new Map();
    const taken = new Set();
    for (const name of names) {
      const i = before && before.slots.get(name);
      if (i !== undefined && i !== null) {
        slots.set(name, i);
        taken.add(i);
      }
    }
    let free = 0;
    for (const name of [...names].sort(naturalCompare)) {
      if (slots.has(name)) continue;
      while (taken.has(free)) free += 1;
      slots.set(name, free);
      taken.add(free);
    }
    result.set(key, { cols, slots });
  }
  return result;
}

/** Group keys in display order: VLANs by number, the trunk group last. */
export function groupOrder(keys) {
  return [...keys].sort((a, b) => (groupVlan(a) ?? Infinity) - (groupVlan(b) ?? Infinity));
}

/**
 * Where each group, each port and each expanded port's stations go.
 *
 * @param grid Map group key -> {cols, slots} (assignSlots)
 * @param listed Map port name -> station node ids to list beside its group, in order
 * @return {groups: Map key -> {x, y, width, height} (the grid and gutter's box), positions: Map
 *     node id -> {x, y} with 'switch' above the groups, ports as 'port:NAME'}
 */
export function gridLayout(grid, listed = new Map()) {
  const keys = groupOrder(grid.keys());
  const perRow = Math.max(1, Math.ceil(Math.sqrt(keys.length)));
  const size = (key) => {
    const { cols, slots } = grid.get(key);
    const rows = Math.max(1, Math.ceil((Math.max(-1, ...slots.values()) + 1) / cols));
    // Room for a row more, given in steps of two, so that a port or two more moves no group below.
    return { width: cols * CELL + GUTTER, height: Math.ceil((rows + 1) / 2) * 2 * CELL };
  };
  const groups = new Map();
  const positions = new Map();
  let y = 0;
  let widest = 0;
  for (let r = 0; r < keys.length; r += perRow) {
    const row = keys.slice(r, r + perRow);
    let x = 0;
    let tallest = 0;
    for (const key of row) {
      const { width, height } = size(key);
      groups.set(key, { x, y, width, height });
      x += width + GROUP_GAP;
      tallest = Math.max(tallest, height);
    }
    widest = Math.max(widest, x - GROUP_GAP);
    y += tallest + GROUP_GAP;
  }
  positions.set('switch', { x: widest / 2, y: -GROUP_GAP });
  for (const [key, box] of groups) {
    const { cols, slots } = grid.get(key);
    const gutter = box.x + cols * CELL + 24;
    let nextFree = box.y;
    const ports = [...slots].sort((a, b) => a[1] - b[1]);
    for (const [name, i] of ports) {
      const pos = { x: box.x + (i % cols) * CELL + CELL / 2, y: box.y + Math.floor(i / cols) * CELL + CELL / 2 };
      positions.set(`port:${name}`, pos);
      // An expanded port's stations, from its own row down, below those of a port listed before.
      const ids = listed.get(name) || [];
      let sy = Math.max(nextFree, pos.y - CELL / 2) + STATION_ROW / 2;
      for (const id of ids) {
        positions.set(id, { x: gutter, y: sy });
        sy += STATION_ROW;
      }
      if (ids.length) nextFree = sy - STATION_ROW / 2 + 6;
    }
  }
  return { groups, positions };
}
