// What the console's search box finds: a port by name, a station by MAC, a VM by name, a VLAN
// by number. Pure, like state.js: it reads a state and answers with what to show.

import { fabricHosts, hostFdb, hostPorts, isLocal } from './state.js';

/** A MAC as the agent writes it (lower case, colons), from any common spelling, or null. */
export function normalMac(text) {
  const hex = text.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 12 || !/^[0-9a-f:.-]+$/i.test(text)) return null;
  return hex.match(/../g).join(':');
}

/**
 * What `query` names, best match first: an exact port name, a VLAN ("10", "vlan 10"), a MAC
 * (whole), a VM name, then the first port whose name contains the query. Every loaded host of a
 * fabric is searched, this one first.
 *
 * @return {kind: 'port', name, host} | {kind: 'mac', mac, port, vlan, host} |
 *     {kind: 'vm', name, lab, port} | {kind: 'vlan', vlan} | null; host null for this host
 */
export function find(state, query) {
  const q = (query || '').trim();
  if (!q) return null;
  const hosts = [null, ...fabricHosts(state).filter((h) => !isLocal(state, h.host)).map((h) => h.host)];
  for (const host of hosts) {
    const p = hostPorts(state, host).find((x) => x.name === q);
    if (p) return { kind: 'port', name: p.name, host };
  }
  const vlan = /^(?:vlan\s*)?(\d{1,4})$/i.exec(q);
  if (vlan && Number(vlan[1]) >= 1 && Number(vlan[1]) <= 4094) return { kind: 'vlan', vlan: Number(vlan[1]) };
  const mac = normalMac(q);
  if (mac) {
    for (const host of hosts) {
      for (const e of hostFdb(state, host).values()) {
        if (e.mac === mac) return { kind: 'mac', mac, port: e.port, vlan: e.vlan, host };
      }
    }
  }
  const lower = q.toLowerCase();
  const vm = state.vms.find((v) => v.name.toLowerCase() === lower) || state.vms.find((v) => v.name.toLowerCase().includes(lower));
  if (vm && vm.ports && vm.ports.length) return { kind: 'vm', name: vm.name, lab: vm.lab, port: vm.ports[0], host: null };
  for (const host of hosts) {
    const p = hostPorts(state, host).find((x) => x.name.toLowerCase().includes(lower));
    if (p) return { kind: 'port', name: p.name, host };
  }
  return null;
}
