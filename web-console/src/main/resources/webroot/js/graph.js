// The graph the topology view draws, as plain data: the nodes, edges and positions a state
// implies. Pure (no cytoscape, no DOM), so that what is drawn for a state can be tested in Node;
// topology.js hands the result to cytoscape and keeps it current.
//
// An agent alone is one switch, drawn as it always was. In a fabric each host is a compound node
// holding its switch, ports and stations; this host's elements keep the ids they have alone
// ('switch', 'port:NAME', ...), another host's are prefixed with 'host:HOST/' (host ids hold no
// '/'), so that a port and a station keep their node, and their place, when the fabric appears.

import { autoAttached } from './auto-attach.js';
import { bitRate } from './format.js';
import { verdictClass, withVerdicts } from './checks.js';
import { vlanColor, vlanLight } from './colors.js';
import { around, concentric, facing, shortNames } from './layout.js';
import {
  assignSlots, GROUP_THRESHOLD, groupOf, groupVlan, gridLayout, MAX_LISTED, naturalCompare,
} from './groups.js';
import {
  clustered, entryHost, fabricHosts, hostFdb, hostLoaded, hostPorts, isLocal, rate, tunnelPeer,
} from './state.js';

/** Most VLANs a trunk port's pie shows. */
export const MAX_PIE = 6;

/** Edge width for a rate: thin when idle, growing with the logarithm of the rate. */
export function edgeWidth(bitsPerSecond) {
  return 1.5 + Math.min(8, Math.max(0, Math.log10(1 + bitsPerSecond) - 2));
}

/** The VLANs a port's configuration names, in display order, for its color or pie. */
export function portVlans(vlan) {
  if (!vlan) return [];
  const ids = [];
  if (vlan.tag) ids.push(vlan.tag);
  if (vlan.trunks) {
    for (const part of vlan.trunks.split(',')) {
      const [a, b] = part.split('-').map(Number);
      for (let v = a; v <= (b || a) && ids.length < MAX_PIE; v++) if (!ids.includes(v)) ids.push(v);
    }
  }
  return ids.slice(0, MAX_PIE);
}

/** Whether a port of VLAN configuration `vlan` carries VLAN `vid`, from the configuration alone. */
export function carriesVlan(vlan, vid) {
  const v = vlan || { mode: 'trunk' };
  if ((v.mode === 'access' || v.mode === 'dot1q-tunnel') || (v.tag && v.tag === vid)) return v.tag === vid;
  if (!v.trunks) return true;
  return v.trunks.split(',').some((part) => {
    const [a, b] = part.split('-').map(Number);
    return vid >= a && vid <= (b || a);
  });
}

/** The id prefix of a host's elements: none for this host, 'host:HOST/' for another. */
export function scopeOf(state, host) {
  return isLocal(state, host) ? '' : `host:${host}/`;
}

/** The node id of port `name` of `host` (null: this host). */
export function portNodeId(state, name, host = null) {
  return `${scopeOf(state, host)}port:${name}`;
}

/** A tunnel's label: its health, then what it carries (in: from the peer; out: to it), when anything. */
export function tunnelLabel(health, r) {
  const total = r.rxBps + r.txBps;
  return total > 0 ? `${health} · in ${bitRate(r.rxBps)} · out ${bitRate(r.txBps)}` : health;
}

/**
 * The element descriptions a state (state.js) implies.
 *
 * Past GROUP_THRESHOLD ports a switch is drawn in VLAN groups (groups.js), and `view` says how:
 * which groups are collapsed, which ports list their stations, and the grid slots ports were
 * given before, so that they keep them.
 *
 * @param view {collapsed: Set of group node ids, expanded: Set of port node ids, slots: the
 *     `slots` of the previous call}, each optional
 * @return {nodes, edges, positions, slots}: cytoscape element descriptions ({data, classes}), a
 *     Map from node id to {x, y}, and the grid slots to give in next time
 */
export function describe(state, view = {}) {
  const v = {
    collapsed: view.collapsed || new Set(), expanded: view.expanded || new Set(), slots: view.slots || new Map(),
  };
  const slots = new Map();
  if (!clustered(state)) {
    const g = describeSwitch({
      label: state.switchInfo ? state.switchInfo.name : 'switch',
      ports: state.ports, entries: state.fdb.values(), mirrors: state.mirrors, vms: withVerdicts(state.vms, state.checks),
      view: v, scope: '', slots,
    });
    return { ...g, slots };
  }
  return { ...describeFabric(state, v, slots), slots };
}

/**
 * One switch with its ports, the stations learned behind them, its VMs and mirrors, in its own
 * coordinates (the switch at the origin), with this host's ids.
 *
 * @param sw {label, ports, entries (an iterable of FDB entries), mirrors, vms, and optionally
 *     facing: a Map from port name to the angle it should face (see layout.js's facing)}
 */
function describeSwitch(sw) {
  // The tunnel endpoint (vxlan0) reads for every remote VTEP and is never an egress: the tunnels
  // are drawn from the VTEP ports, so the endpoint stays in the port list and out of the picture.
  sw = { ...sw, ports: sw.ports.filter((p) => p.kind !== 'tunnel') };
  const names = sw.ports.map((p) => p.name);
  const short = shortNames(names);
  const mirrorOut = new Map();
  const mirrorSrc = new Set();
  for (const m of sw.mirrors) {
    const c = m.config;
    if (c.outputPort) mirrorOut.set(c.outputPort, [...(mirrorOut.get(c.outputPort) || []), c.name]);
    [...(c.srcPorts || []), ...(c.dstPorts || [])].forEach((p) => mirrorSrc.add(p));
  }
  if (sw.ports.length > GROUP_THRESHOLD && sw.view) return describeGrouped(sw, short, mirrorOut, mirrorSrc);
  const nodes = [{ data: { id: 'switch', label: sw.label }, classes: 'switch' }];
  const edges = [];
  for (const p of sw.ports) {
    const up = p.enabled && p.operUp;
    nodes.push(portNode(p, short, mirrorOut, mirrorSrc));
    edges.push({ data: { id: `up:${p.name}`, source: 'switch', target: `port:${p.name}`, port: p.name, width: 1.5, label: '' },
      classes: up ? 'uplink' : 'uplink down' });
  }
  const hostsByPort = new Map();
  const hosts = new Map();
  for (const e of sw.entries) {
    if (!names.includes(e.port)) continue;
    const id = `mac:${e.port}/${e.mac}`;
    if (!hosts.has(id)) {
      hosts.set(id, { mac: e.mac, port: e.port, vlans: [], static: e.static });
      hostsByPort.set(e.port, [...(hostsByPort.get(e.port) || []), id]);
    }
    hosts.get(id).vlans.push(e.vlan);
  }
  for (const [id, host] of hosts) {
    host.vlans.sort((a, b) => a - b);
    const first = host.vlans[0];
    const vlanText = host.vlans.length === 1 && first === 0 ? '' : `\nvlan ${host.vlans.join(',')}`;
    nodes.push({
      data: { id, mac: host.mac, port: host.port, vlans: host.vlans, label: `${host.mac}${vlanText}`,
        color: vlanColor(first), fill: vlanLight(first) },
      classes: host.static ? 'host static' : 'host',
    });
    edges.push({ data: { id: `link:${id}`, source: `port:${host.port}`, target: id, color: vlanColor(first), width: 1.5 },
      classes: 'hostlink' });
  }
  // A VM of a lab sits behind each of its ports, nearest to the port, its learned MACs around it.
  for (const vm of sw.vms || []) {
    const id = `vm:${vm.lab}/${vm.name}`;
    const ports = (vm.ports || []).filter((p) => names.includes(p));
    if (ports.length === 0) continue;
    nodes.push({
      data: { id, name: vm.name, lab: vm.lab, label: `${vm.name}\n${vm.lab}${vm.state === 'RUNNING' ? '' : ' (exited)'}` },
      classes: (vm.state === 'RUNNING' ? 'vm' : 'vm exited') + verdictClass(vm),
    });
    for (const p of ports) {
      edges.push({ data: { id: `vmlink:${id}:${p}`, source: `port:${p}`, target: id }, classes: `vmlink${verdictClass(vm)}` });
    }
    hostsByPort.set(ports[0], [id, ...(hostsByPort.get(ports[0]) || [])]);
  }
  for (const m of sw.mirrors) {
    const c = m.config;
    if (!c.outputPort || !names.includes(c.outputPort)) continue;
    for (const src of new Set([...(c.srcPorts || []), ...(c.dstPorts || [])])) {
      if (!names.includes(src)) continue;
      edges.push({ data: { id: `mirror:${c.name}:${src}`, source: `port:${src}`, target: `port:${c.outputPort}`,
        label: c.name, width: 2 }, classes: 'mirror' });
    }
  }
  for (const hs of hostsByPort.values()) hs.sort((a, b) => (a.startsWith('vm:') ? 0 : 1) - (b.startsWith('vm:') ? 0 : 1) || a.localeCompare(b));
  const ring = sw.facing ? facing(names, sw.facing) : names;
  return { nodes, edges, positions: concentric(ring, hostsByPort) };
}

/** A port's node: colored by its VLAN, a pie of a trunk's, marked when down or mirrored. */
function portNode(p, short, mirrorOut, mirrorSrc) {
  const up = p.enabled && p.operUp;
  const vlan = p.vlan || { mode: 'trunk' };
  const ids = portVlans(vlan);
  const classes = ['port'];
  if (p.kind === 'vtep') classes.push('vtep');
  if (!up) classes.push('down');
  if (vlan.mode === 'dot1q-tunnel') classes.push('tunnel');
  if (vlan.mode !== 'access' && vlan.mode !== 'dot1q-tunnel' && !vlan.trunks) classes.push('trunk-all');
  if (vlan.mode !== 'access' && vlan.mode !== 'dot1q-tunnel' && ids.length > 0) classes.push(`pie${ids.length}`);
  if (mirrorOut.has(p.name)) classes.push('mirror-out');
  else if (mirrorSrc.has(p.name)) classes.push('mirror-src');
  if (autoAttached(p)) classes.push('auto-attached');
  const data = {
    id: `port:${p.name}`,
    name: p.name,
    label: short.get(p.name),
    color: ids.length && (vlan.mode === 'access' || vlan.mode === 'dot1q-tunnel') ? vlanColor(ids[0]) : '#546e7a',
  };
  ids.forEach((v, i) => { data[`p${i + 1}`] = vlanColor(v); });
  return { data, classes: classes.join(' ') };
}

/**
 * A switch at lab scale (groups.js): a compound node per VLAN holding its ports in a grid, or in
 * its place, once collapsed, one node that counts them; a badge per port counting its stations
 * and VMs, which are listed beside the group only for an expanded port. The switch stands above
 * its groups, joined to none: 256 edges from one node would cover the ports they lead to.
 */
function describeGrouped(sw, short, mirrorOut, mirrorSrc) {
  const { view, scope } = sw;
  const byGroup = new Map();
  for (const p of [...sw.ports].sort((a, b) => naturalCompare(a.name, b.name))) {
    const key = groupOf(p);
    if (!byGroup.has(key)) byGroup.set(key, []);
    byGroup.get(key).push(p);
  }
  const previous = new Map([...view.slots].filter(([k]) => k.startsWith(`${scope}#`)).map(([k, g]) => [k.slice(scope.length + 1), g]));
  const grid = assignSlots(new Map([...byGroup].map(([k, ps]) => [k, ps.map((p) => p.name)])), previous);
  grid.forEach((g, k) => sw.slots.set(`${scope}#${k}`, g));

  const nodes = [{ data: { id: 'switch', label: sw.label }, classes: 'switch' }];
  const edges = [];
  const shown = new Set();
  for (const [key, ports] of byGroup) {
    const id = `group:${key}`;
    const vid = groupVlan(key);
    const collapsed = view.collapsed.has(`${scope}${id}`);
    const label = `${vid === null ? 'trunks' : `VLAN ${vid}`} · ${ports.length} port${ports.length === 1 ? '' : 's'}`;
    nodes.push({
      data: { id, key, vlan: vid, ports: ports.length, label: collapsed ? `${label}\n(collapsed)` : label,
        color: vid === null ? '#546e7a' : vlanColor(vid), fill: vid === null ? '#eceff1' : vlanLight(vid) },
      classes: collapsed ? 'vlan-group collapsed' : 'vlan-group',
    });
    if (collapsed) continue;
    for (const p of ports) {
      const n = portNode(p, short, mirrorOut, mirrorSrc);
      n.data.parent = id;
      n.classes += ' grouped';
      nodes.push(n);
      shown.add(p.name);
    }
  }
  // Stations and VMs per port, drawn for an expanded port only, else counted.
  const behind = new Map();
  const add = (port) => {
    if (!behind.has(port)) behind.set(port, { stations: new Map(), vms: [] });
    return behind.get(port);
  };
  for (const e of sw.entries) {
    if (!shown.has(e.port)) continue;
    const b = add(e.port);
    const st = b.stations.get(e.mac) || { mac: e.mac, vlans: [], static: e.static };
    st.vlans.push(e.vlan);
    b.stations.set(e.mac, st);
  }
  for (const vm of sw.vms || []) {
    const first = (vm.ports || []).find((p) => shown.has(p));
    if (first) add(first).vms.push(vm);
  }
  const listed = new Map();
  const portOf = new Map(sw.ports.map((p) => [p.name, p]));
  for (const [port, b] of behind) {
    const count = b.stations.size + b.vms.length;
    if (!view.expanded.has(`${scope}port:${port}`)) {
      nodes.push({ data: { id: `count:${port}`, port, count, label: String(count) }, classes: 'station-count' });
      continue;
    }
    const ids = [];
    for (const vm of b.vms) {
      const id = `vm:${vm.lab}/${vm.name}`;
      nodes.push({ data: { id, name: vm.name, lab: vm.lab, parent: `group:${groupOf(portOf.get(port))}`,
        label: `${vm.name} (${vm.lab}${vm.state === 'RUNNING' ? '' : ', exited'})` },
        classes: (vm.state === 'RUNNING' ? 'vm listed' : 'vm exited listed') + verdictClass(vm) });
      for (const p of vm.ports.filter((x) => shown.has(x))) {
        edges.push({ data: { id: `vmlink:${id}:${p}`, source: `port:${p}`, target: id, width: 2 }, classes: `vmlink${verdictClass(vm)}` });
      }
      ids.push(id);
    }
    const stations = [...b.stations.values()].sort((x, y) => x.mac.localeCompare(y.mac));
    for (const st of stations.slice(0, MAX_LISTED - ids.length)) {
      st.vlans.sort((x, y) => x - y);
      const id = `mac:${port}/${st.mac}`;
      const first = st.vlans[0];
      const vlanText = st.vlans.length === 1 ? '' : ` · vlan ${st.vlans.join(',')}`;
      nodes.push({
        data: { id, mac: st.mac, port, vlans: st.vlans, label: `${st.mac}${vlanText}`, color: vlanColor(first), fill: vlanLight(first),
          parent: `group:${groupOf(portOf.get(port))}` },
        classes: st.static ? 'host static listed' : 'host listed',
      });
      edges.push({ data: { id: `link:${id}`, source: `port:${port}`, target: id, color: vlanColor(first), width: 1 }, classes: 'hostlink listed' });
      ids.push(id);
    }
    const more = count - ids.length;
    if (more > 0) {
      const id = `more:${port}`;
      nodes.push({ data: { id, port, count: more, label: `${more} more: see FDB`, parent: `group:${groupOf(portOf.get(port))}` },
        classes: 'more listed' });
      ids.push(id);
    }
    listed.set(port, ids);
  }
  for (const m of sw.mirrors) {
    const c = m.config;
    if (!c.outputPort || !shown.has(c.outputPort)) continue;
    for (const src of new Set([...(c.srcPorts || []), ...(c.dstPorts || [])])) {
      if (!shown.has(src)) continue;
      edges.push({ data: { id: `mirror:${c.name}:${src}`, source: `port:${src}`, target: `port:${c.outputPort}`,
        label: c.name, width: 2 }, classes: 'mirror' });
    }
  }
  const { groups, positions } = gridLayout(grid, listed);
  for (const [key, box] of groups) {
    // A collapsed group stands where its grid would be.
    positions.set(`group:${key}`, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
  }
  for (const [port] of behind) {
    const p = positions.get(`port:${port}`);
    if (p && !listed.has(port)) positions.set(`count:${port}`, { x: p.x + 17, y: p.y - 17 });
  }
  return { nodes, edges, positions, grouped: true };
}

/** Room around a host's drawing (labels stick out of nodes), and between two hosts. */
const HOST_MARGIN = 70;
const HOST_GAP = 140;

/**
 * The fabric: a compound node per host, this one first, then the others in the order /fabric
 * lists them, left to right. A remote host shows its ports and stations once a user opened it;
 * until then, its switch alone, with the summary the fabric gives. Stations one host learned
 * through a tunnel are drawn behind the host they sit on (beside its switch), not behind the
 * tunnel port, unless that host's own table already draws them behind one of its ports.
 */
function describeFabric(state, view, slots) {
  const nodes = [];
  const edges = [];
  const positions = new Map();
  const groups = [];
  /** host → Map(station id → {mac, vlans, table}) of the stations other hosts see behind it */
  const behind = new Map();
  // This host first, at the origin as when it is alone; /fabric lists it first, but need not.
  const hosts = [...fabricHosts(state)].sort((x, y) => Number(y.self) - Number(x.self));
  const order = hosts.map((h) => h.host);
  for (const h of hosts) {
    const host = h.self ? null : h.host;
    const loaded = hostLoaded(state, host);
    const ports = loaded ? hostPorts(state, host) : [];
    // Hosts stand in a row: a tunnel port faces right to a host further on, left to one before.
    const toward = new Map();
    for (const p of ports) {
      const peer = tunnelPeer(state, p);
      if (peer !== null) toward.set(p.name, order.indexOf(peer) > order.indexOf(h.host) ? 0 : Math.PI);
    }
    const fdbLoaded = hostLoaded(state, host, 'fdb');
    const entries = [];
    for (const e of fdbLoaded ? hostFdb(state, host).values() : []) {
      const peer = entryHost(state, e, host);
      if (peer === null || peer === h.host) {
        entries.push(e);
        continue;
      }
      if (!behind.has(peer)) behind.set(peer, new Map());
      const id = `tunnel-mac:${e.mac}`;
      const seen = behind.get(peer).get(id) || { mac: e.mac, vlans: [], table: host };
      if (!seen.vlans.includes(e.vlan)) seen.vlans.push(e.vlan);
      behind.get(peer).set(id, seen);
    }
    const sw = describeSwitch({
      label: host === null && state.switchInfo ? state.switchInfo.name : (h.summary && h.summary.name) || h.host,
      ports,
      entries,
      mirrors: host === null ? state.mirrors : [],
      vms: host === null ? withVerdicts(state.vms, state.checks) : [],
      facing: toward,
      view,
      scope: host === null ? '' : `host:${h.host}/`,
      slots,
    });
    groups.push({ h, host, loaded, sw });
  }
  for (const g of groups) {
    const { h, host, sw } = g;
    // What a host's own table already draws behind one of its ports is not drawn again beside it.
    const own = new Set(sw.nodes.filter((n) => n.classes.startsWith('host')).map((n) => n.data.mac));
    const extra = [...(behind.get(h.host) || new Map())].filter(([, st]) => !own.has(st.mac));
    for (const [id, st] of extra) {
      st.vlans.sort((a, b) => a - b);
      const first = st.vlans[0];
      sw.nodes.push({
        data: { id, mac: st.mac, port: null, vlans: st.vlans, table: st.table, label: `${st.mac}\nvlan ${st.vlans.join(',')}`,
          color: vlanColor(first), fill: vlanLight(first) },
        classes: 'host tunnel-station',
      });
      sw.edges.push({ data: { id: `link:${id}`, source: 'switch', target: id, color: vlanColor(first), width: 1.5 },
        classes: 'hostlink' });
    }
    const reach = Math.max(0, ...[...sw.positions.values()].map((p) => Math.hypot(p.x, p.y)));
    around(extra.map(([id]) => id), sw.nodes.some((n) => n.classes.startsWith('port')) ? reach + HOST_MARGIN : 90)
      .forEach((pos, id) => sw.positions.set(id, pos));
    g.down = h.state === 'down';
    const compound = `host:${h.host}`;
    const classes = ['fabric-host', host === null ? 'local' : 'remote', `state-${h.state}`];
    if (host !== null && !g.loaded) classes.push('closed');
    const title = `${h.host}${host === null ? ' (this host)' : ''}${h.state === 'up' ? '' : ` · ${h.state}`}`;
    nodes.push({ data: { id: compound, hostId: h.host, local: host === null, state: h.state, label: title }, classes: classes.join(' ') });
    const scope = host === null ? '' : `host:${h.host}/`;
    const scoped = (id) => `${scope}${id}`;
    const mark = (classesOf) => (g.down ? `${classesOf} in-down` : classesOf);
    for (const n of sw.nodes) {
      const data = { ...n.data, id: scoped(n.data.id), parent: n.data.parent ? scoped(n.data.parent) : compound, host };
      if (n.data.id === 'switch') {
        data.hostId = h.host;
        if (host !== null && !g.loaded && h.summary) data.label = `${data.label}\n${h.summary.ports} ports · ${h.summary.macs} MACs`;
      }
      nodes.push({ data, classes: mark(n.data.id === 'switch' && host !== null && !g.loaded ? `${n.classes} closed` : n.classes) });
    }
    for (const e of sw.edges) {
      edges.push({ data: { ...e.data, id: scoped(e.data.id), source: scoped(e.data.source), target: scoped(e.data.target), host },
        classes: mark(e.classes) });
    }
    g.positions = new Map([...sw.positions].map(([id, pos]) => [scoped(id), pos]));
  }
  placeSideBySide(groups, positions);
  edges.push(...tunnels(state, groups));
  return { nodes, edges, positions };
}

/** Puts the hosts' drawings left to right, this host's where it is drawn alone (at the origin). */
function placeSideBySide(groups, positions) {
  let right = null;
  for (const g of groups) {
    const xs = [...g.positions.values()].map((p) => p.x);
    const dx = right === null ? 0 : right + HOST_GAP - (Math.min(...xs) - HOST_MARGIN);
    for (const [id, pos] of g.positions) positions.set(id, { x: pos.x + dx, y: pos.y });
    right = Math.max(...xs) + HOST_MARGIN + dx;
  }
}

/**
 * One edge per pair of hosts joined by a tunnel: from this host's tunnel port to the peer (its
 * own tunnel port back when it is drawn, else its switch), colored by the health this host's
 * probes give it and as wide as the tunnel port's rate. A pair of two other hosts is drawn when
 * one of them is open and has a tunnel port to the other; this host does not probe that tunnel,
 * so its health is unknown here. Without tunnel ports (a fabric without the VXLAN data plane, or
 * a peer whose port was removed when it went down) the edge joins the two switches.
 *
 * @param groups the hosts' drawings, this host's first
 */
function tunnels(state, groups) {
  // The name of g's tunnel port to `peer`, or null when g is not drawn with one.
  const portTo = (g, peer) => (g.loaded && hostPorts(state, g.host).find((p) => tunnelPeer(state, p) === peer)?.name) || null;
  const hasPort = (g, peer) => portTo(g, peer) !== null;
  const scope = (g) => (g.host === null ? '' : `host:${g.h.host}/`);
  const out = [];
  groups.forEach((a, i) => {
    for (const b of groups.slice(i + 1)) {
      const aPort = hasPort(a, b.h.host);
      const bPort = hasPort(b, a.h.host);
      const ours = a.host === null;
      if (!ours && !aPort && !bPort) continue;
      const health = (ours && b.h.tunnel) || 'unknown';
      // The rate of a's tunnel port; else of b's, whose "in" is what a sends.
      let seen = { rxBps: 0, txBps: 0 };
      let ratePort = null;
      let rateHost = null;
      if (aPort || bPort) {
        [ratePort, rateHost] = aPort ? [portTo(a, b.h.host), a.host] : [portTo(b, a.h.host), b.host];
        const r = rate(state, ratePort, rateHost);
        seen = aPort ? r : { rxBps: r.txBps, txBps: r.rxBps };
      }
      const classes = ['tunnel', `health-${health}`];
      if (!aPort && !bPort) classes.push('no-port');
      for (const g of [a, b]) if (g.h.state !== 'up') classes.push(`peer-${g.h.state}`);
      out.push({
        data: {
          id: `tunnel:${a.h.host}~${b.h.host}`,
          source: aPort ? `${scope(a)}port:${portTo(a, b.h.host)}` : `${scope(a)}switch`,
          target: bPort ? `${scope(b)}port:${portTo(b, a.h.host)}` : `${scope(b)}switch`,
          hosts: [a.h.host, b.h.host], health, ratePort, rateHost, flipped: !aPort && bPort,
          label: tunnelLabel(health, seen), width: edgeWidth(seen.rxBps + seen.txBps),
        },
        classes: classes.join(' '),
      });
    }
  });
  return out;
}
