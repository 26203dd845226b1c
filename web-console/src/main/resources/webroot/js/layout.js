// A concentric layout computed here rather than by cytoscape's own, so that it is stable: the
// switch sits in the middle, ports on a ring in configuration order, and each port's stations on
// an outer ring inside that port's angular sector. A learned MAC therefore appears next to its
// port without moving anything else, and 50 ports stay apart because the ring grows with them.

const PORT_SPACING = 56; // px of ring circumference per port
const MIN_PORT_RADIUS = 150;
const HOST_GAP = 95; // px between the port ring and the first station ring
const HOST_SPACING = 42; // px between stations on one ring
const HOST_RING_STEP = 44; // px between station rings when a port has many stations
// A station's label (a MAC, and its VLANs on a second line) below its node: two stations closer
// than this both ways would have overlapping labels.
const LABEL_WIDTH = 88;
const LABEL_HEIGHT = 36;

/**
 * How far apart two stations must be, at least `least`, along a direction (radians) for their
 * labels not to overlap: labels are wide and low, so stations side by side need more room than
 * stations one above the other.
 */
export function labelSpacing(direction, least) {
  const c = Math.abs(Math.cos(direction));
  const s = Math.abs(Math.sin(direction));
  return Math.max(least, Math.min(c > 1e-9 ? LABEL_WIDTH / c : Infinity, s > 1e-9 ? LABEL_HEIGHT / s : Infinity));
}

/**
 * @param portNames ports in display order
 * @param hostsByPort Map port name -> list of station node ids
 * @return Map node id -> {x, y}, with 'switch' at the origin and ports as 'port:NAME'
 */
export function concentric(portNames, hostsByPort) {
  const positions = new Map();
  positions.set('switch', { x: 0, y: 0 });
  const n = portNames.length;
  if (n === 0) return positions;
  const portRadius = Math.max(MIN_PORT_RADIUS, (n * PORT_SPACING) / (2 * Math.PI));
  const sector = (2 * Math.PI) / n;
  portNames.forEach((name, i) => {
    const angle = -Math.PI / 2 + i * sector;
    positions.set(`port:${name}`, polar(portRadius, angle));
    const hosts = hostsByPort.get(name) || [];
    // Apart along the ring (across the port's direction) and from one ring to the next.
    const spacing = labelSpacing(angle + Math.PI / 2, HOST_SPACING);
    const ringStep = labelSpacing(angle, HOST_RING_STEP);
    let placed = 0;
    let ring = 0;
    while (placed < hosts.length) {
      const radius = portRadius + HOST_GAP + ring * ringStep;
      // As many stations as fit in this port's sector at this radius (at least one).
      const fit = Math.max(1, Math.floor((sector * radius * 0.9) / spacing));
      const onRing = Math.min(fit, hosts.length - placed);
      const step = Math.min(sector * 0.9 / Math.max(onRing, 1), spacing / radius);
      for (let k = 0; k < onRing; k++) {
        const offset = (k - (onRing - 1) / 2) * step;
        positions.set(hosts[placed + k], polar(radius, angle + offset));
      }
      placed += onRing;
      ring += 1;
    }
  });
  return positions;
}

function polar(r, angle) {
  return { x: r * Math.cos(angle), y: r * Math.sin(angle) };
}

/**
 * Short labels for ports that share a prefix (tsdemo-p1 .. tsdemo-p50 → p1 .. p50): the common
 * prefix is cut at its last separator, so that names stay recognisable.
 */
export function shortNames(names) {
  const result = new Map(names.map((n) => [n, n]));
  if (names.length < 2) return result;
  let prefix = names[0];
  for (const n of names) {
    let i = 0;
    while (i < prefix.length && i < n.length && prefix[i] === n[i]) i += 1;
    prefix = prefix.slice(0, i);
  }
  const cut = Math.max(prefix.lastIndexOf('-'), prefix.lastIndexOf('_'), prefix.lastIndexOf('.')) + 1;
  if (cut <= 0) return result;
  for (const n of names) {
    if (n.length > cut) result.set(n, n.slice(cut));
  }
  return result;
}

/**
 * Stations around a point (a remote host's switch): on rings from `radius` outwards, as many on a
 * ring as fit HOST_SPACING apart, first at the top, clockwise.
 *
 * @return Map id -> {x, y}, relative to the point
 */
export function around(ids, radius) {
  const positions = new Map();
  let placed = 0;
  for (let r = radius; placed < ids.length; r += HOST_RING_STEP) {
    const onRing = Math.min(Math.max(1, Math.floor((2 * Math.PI * r) / HOST_SPACING)), ids.length - placed);
    for (let k = 0; k < onRing; k++) {
      positions.set(ids[placed + k], polar(r, -Math.PI / 2 + (2 * Math.PI * k) / onRing));
    }
    placed += onRing;
  }
  return positions;
}

/**
 * Port names in ring order, such that some ports face a direction: concentric() puts the i-th
 * name at angle -π/2 + i·2π/n, so each port in `wanted` takes the free place nearest its angle (in
 * the order given), and the others keep their order in the places left. A host's tunnel ports so
 * face the hosts they lead to, and its tunnels do not cross its own drawing.
 *
 * @param wanted Map port name -> angle (radians, 0 to the right, clockwise as the y axis points down)
 */
export function facing(names, wanted) {
  const n = names.length;
  const slots = new Array(n).fill(null);
  const angleOf = (i) => -Math.PI / 2 + (i * 2 * Math.PI) / n;
  const gap = (a, b) => {
    const d = Math.abs(a - b) % (2 * Math.PI);
    return Math.min(d, 2 * Math.PI - d);
  };
  for (const [name, angle] of wanted) {
    if (!names.includes(name)) continue;
    let best = -1;
    for (let i = 0; i < n; i++) {
      if (slots[i] === null && (best < 0 || gap(angleOf(i), angle) < gap(angleOf(best), angle) - 1e-9)) best = i;
    }
    slots[best] = name;
  }
  const rest = names.filter((name) => !slots.includes(name));
  return slots.map((name) => (name === null ? rest.shift() : name));
}
