// Shapes of the agent's API answers and events, as small as the tests need them. Not a test file
// itself (node --test runs *.test.js only).

import { applySnapshot, hostTopic, initialState, openHost } from '../../main/resources/webroot/js/state.js';

export const MONO0 = 1000; // seconds on a made-up monotonic clock
export const WALL0 = 1_700_000_000_000; // ms since the epoch

/** A port as GET /ports lists it: an enabled, working access port of `vlan`. */
export function portView(name, { vlan = 10, enabled = true, operUp = true, mode = 'access', trunks } = {}) {
  const spec = mode === 'access' ? { mode, tag: vlan } : { mode, ...(trunks ? { trunks } : {}) };
  return {
    name, id: 1, kind: 'tap', create: 'CREATE', persistent: false, enabled, operUp, vlan: spec, macs: 0,
    stats: { rxPackets: 0, txPackets: 0, rxBytes: 0, txBytes: 0, drops: 0 },
  };
}

/** An entry as GET /fdb lists it. */
export function entry(mac, vlan, port, extra = {}) {
  return { mac, vlan, port, ageSeconds: 7, static: false, ...extra };
}

/** An 'fdb' event of the stream; `host` tags it as a clustered agent's stream does. */
export function fdbEvent(event, mac, vlan, port, host) {
  return host === undefined ? { event, mac, vlan, port } : { event, mac, vlan, port, host };
}

/** What GET /fabric answers for an agent that runs alone. */
export function standaloneFabric() {
  return {
    host: null, clustered: false, vxlan: null, staticVteps: [],
    hosts: [fabricHostView('local', { self: true, member: false, tunnel: null })],
  };
}

/** One host of GET /fabric. */
export function fabricHostView(host, {
  self = false, state = 'up', member = true, tunnel = 'up', vlans = '10', vnis = [10010], port, rttMicros = 250,
  summary = { host, name: `sw-${host}`, ports: 2, macs: 3, revision: 1, rxPackets: 0, txPackets: 0 },
} = {}) {
  return {
    host, self, state, member, tunnel: self ? null : tunnel, vtep: `198.19.90.${host.charCodeAt(0) - 96}:4789`,
    apiUrl: `http://127.0.0.1:80${host.charCodeAt(0)}`, vlans, vnis,
    port: self ? null : (port === undefined ? `vtep-${host}` : port), rttMicros: self ? 0 : rttMicros,
    advertAgeMillis: self ? 0 : 300, reachable: state !== 'down', summary: state === 'down' ? null : summary, counters: null,
  };
}

/**
 * What GET /fabric answers on host `self` of a cluster; `peers` are the other hosts' views, or
 * names of healthy ones.
 */
export function clusterFabric(self, peers) {
  return {
    host: self, clustered: true, vxlan: { port: 4789, underlayMtu: 1500, vniBase: 10000 }, staticVteps: [],
    hosts: [fabricHostView(self, { self: true }), ...peers.map((p) => (typeof p === 'string' ? fabricHostView(p) : p))],
  };
}

/** A tunnel port to `peer` as GET /ports lists it. */
export function vtepView(peer, { operUp = true, trunks = '10' } = {}) {
  return { ...portView(`vtep-${peer}`, { mode: 'trunk', trunks, operUp }), kind: 'vtep', create: 'AUTO' };
}

/** One port's counters in a 'counters' event. */
export function counters(name, { rxBytes = 0, txBytes = 0, rxPackets = 0, txPackets = 0, drops = 0 } = {}) {
  return { name, rxBytes, txBytes, rxPackets, txPackets, drops };
}

/**
 * A state built from snapshots: {ports: [...], entries: [...], vlans: {...}, mirrors: [...], vms: [...],
 * fabric: {...}}, and remote hosts opened with their answers: {remote: {HOST: {ports, entries}}}.
 */
export function stateWith({ ports = [], entries = [], vlans, mirrors = [], vms = [], name = 'sw', fabric, remote = {} } = {}) {
  let s = initialState();
  if (fabric) s = applySnapshot(s, 'fabric', fabric).state;
  s = applySnapshot(s, 'switch', { name }).state;
  s = applySnapshot(s, 'ports', { ports }).state;
  s = applySnapshot(s, 'fdb', { entries }).state;
  if (vlans) s = applySnapshot(s, 'vlans', vlans).state;
  s = applySnapshot(s, 'mirrors', { mirrors }).state;
  s = applySnapshot(s, 'vms', { vms }).state;
  for (const [host, answers] of Object.entries(remote)) {
    s = openHost(s, host).state;
    s = applySnapshot(s, hostTopic(host, 'ports'), { ports: answers.ports || [] }).state;
    s = applySnapshot(s, hostTopic(host, 'fdb'), { entries: answers.entries || [] }).state;
  }
  return s;
}

/** The FDB of a state as sorted "vlan/mac@port" strings, easy to compare. */
export function fdbOf(state) {
  return [...state.fdb.values()].map((e) => `${e.vlan}/${e.mac}@${e.port}`).sort();
}

/** A deep copy of a state's plain parts and maps, to check later that the state did not change. */
export function copyOf(state) {
  return {
    ...structuredClone({ ...state, fdb: null, rates: null, lastCounters: null, remote: null }),
    remote: [...state.remote.entries()].map(([k, v]) => [k, structuredClone({ ...v })]),
    fdb: [...state.fdb.entries()].map(([k, v]) => [k, structuredClone(v)]),
    rates: [...state.rates.entries()].map(([k, v]) => [k, structuredClone(v)]),
    lastCounters: [...state.lastCounters.entries()].map(([k, v]) => [k, structuredClone(v)]),
  };
}
