// Shapes of the agent's API answers and events, as small as the tests need them. Not a test file
// itself (node --test runs *.test.js only).

import { applySnapshot, initialState } from '../../main/resources/webroot/js/state.js';

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

/** An 'fdb' event of the stream. */
export function fdbEvent(event, mac, vlan, port) {
  return { event, mac, vlan, port };
}

/** One port's counters in a 'counters' event. */
export function counters(name, { rxBytes = 0, txBytes = 0, rxPackets = 0, txPackets = 0, drops = 0 } = {}) {
  return { name, rxBytes, txBytes, rxPackets, txPackets, drops };
}

/** A state built from snapshots: {ports: [...], entries: [...], vlans: {...}, mirrors: [...], vms: [...]}. */
export function stateWith({ ports = [], entries = [], vlans, mirrors = [], vms = [], name = 'sw' } = {}) {
  let s = initialState();
  s = applySnapshot(s, 'switch', { name }).state;
  s = applySnapshot(s, 'ports', { ports }).state;
  s = applySnapshot(s, 'fdb', { entries }).state;
  if (vlans) s = applySnapshot(s, 'vlans', vlans).state;
  s = applySnapshot(s, 'mirrors', { mirrors }).state;
  s = applySnapshot(s, 'vms', { vms }).state;
  return s;
}

/** The FDB of a state as sorted "vlan/mac@port" strings, easy to compare. */
export function fdbOf(state) {
  return [...state.fdb.values()].map((e) => `${e.vlan}/${e.mac}@${e.port}`).sort();
}

/** A deep copy of a state's plain parts and maps, to check later that the state did not change. */
export function copyOf(state) {
  return {
    ...structuredClone({ ...state, fdb: null, rates: null, lastCounters: null }),
    fdb: [...state.fdb.entries()].map(([k, v]) => [k, structuredClone(v)]),
    rates: [...state.rates.entries()].map(([k, v]) => [k, structuredClone(v)]),
    lastCounters: [...state.lastCounters.entries()].map(([k, v]) => [k, structuredClone(v)]),
  };
}
