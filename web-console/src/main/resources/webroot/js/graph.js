// The graph the topology view draws, as plain data: the nodes, edges and positions a state
// implies. Pure (no cytoscape, no DOM), so that what is drawn for a state can be tested in Node;
// topology.js hands the result to cytoscape and keeps it current.

import { vlanColor, vlanLight } from './colors.js';
import { concentric, shortNames } from './layout.js';

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

/**
 * The element descriptions a state (state.js) implies.
 *
 * @return {nodes, edges, positions}: cytoscape element descriptions ({data, classes}) and a Map
 *     from node id to {x, y}
 */
export function describe(state) {
  const names = state.ports.map((p) => p.name);
  const short = shortNames(names);
  const mirrorOut = new Map();
  const mirrorSrc = new Set();
  for (const m of state.mirrors) {
    const c = m.config;
    if (c.outputPort) mirrorOut.set(c.outputPort, [...(mirrorOut.get(c.outputPort) || []), c.name]);
    [...(c.srcPorts || []), ...(c.dstPorts || [])].forEach((p) => mirrorSrc.add(p));
  }
  const nodes = [{ data: { id: 'switch', label: state.switchInfo ? state.switchInfo.name : 'switch' }, classes: 'switch' }];
  const edges = [];
  for (const p of state.ports) {
    const up = p.enabled && p.operUp;
    const vlan = p.vlan || { mode: 'trunk' };
    const ids = portVlans(vlan);
    const classes = ['port'];
    if (!up) classes.push('down');
    if (vlan.mode === 'dot1q-tunnel') classes.push('tunnel');
    if (vlan.mode !== 'access' && vlan.mode !== 'dot1q-tunnel' && !vlan.trunks) classes.push('trunk-all');
    if (vlan.mode !== 'access' && vlan.mode !== 'dot1q-tunnel' && ids.length > 0) classes.push(`pie${ids.length}`);
    if (mirrorOut.has(p.name)) classes.push('mirror-out');
    else if (mirrorSrc.has(p.name)) classes.push('mirror-src');
    const data = {
      id: `port:${p.name}`,
      name: p.name,
      label: short.get(p.name),
      color: ids.length && (vlan.mode === 'access' || vlan.mode === 'dot1q-tunnel') ? vlanColor(ids[0]) : '#546e7a',
    };
    ids.forEach((v, i) => { data[`p${i + 1}`] = vlanColor(v); });
    nodes.push({ data, classes: classes.join(' ') });
    edges.push({ data: { id: `up:${p.name}`, source: 'switch', target: `port:${p.name}`, port: p.name, width: 1.5, label: '' },
      classes: up ? 'uplink' : 'uplink down' });
  }
  const hostsByPort = new Map();
  const hosts = new Map();
  for (const e of state.fdb.values()) {
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
  for (const vm of state.vms || []) {
    const id = `vm:${vm.lab}/${vm.name}`;
    const ports = (vm.ports || []).filter((p) => names.includes(p));
    if (ports.length === 0) continue;
    nodes.push({
      data: { id, name: vm.name, lab: vm.lab, label: `${vm.name}\n${vm.lab}${vm.state === 'RUNNING' ? '' : ' (exited)'}` },
      classes: vm.state === 'RUNNING' ? 'vm' : 'vm exited',
    });
    for (const p of ports) {
      edges.push({ data: { id: `vmlink:${id}:${p}`, source: `port:${p}`, target: id }, classes: 'vmlink' });
    }
    hostsByPort.set(ports[0], [id, ...(hostsByPort.get(ports[0]) || [])]);
  }
  for (const m of state.mirrors) {
    const c = m.config;
    if (!c.outputPort || !names.includes(c.outputPort)) continue;
    for (const src of new Set([...(c.srcPorts || []), ...(c.dstPorts || [])])) {
      if (!names.includes(src)) continue;
      edges.push({ data: { id: `mirror:${c.name}:${src}`, source: `port:${src}`, target: `port:${c.outputPort}`,
        label: c.name, width: 2 }, classes: 'mirror' });
    }
  }
  for (const hs of hostsByPort.values()) hs.sort((a, b) => (a.startsWith('vm:') ? 0 : 1) - (b.startsWith('vm:') ? 0 : 1) || a.localeCompare(b));
  return { nodes, edges, positions: concentric(names, hostsByPort) };
}
