// What the topology draws for a state (graph.js): ports, stations, VMs and mirrors as nodes and
// edges, before cytoscape sees them.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { MAX_PIE, describe, edgeWidth, portVlans } from '../../main/resources/webroot/js/graph.js';
import { applyEvent, initialState } from '../../main/resources/webroot/js/state.js';
import { copyOf, entry, fdbEvent, portView, stateWith } from './fixtures.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

const node = (graph, id) => graph.nodes.find((n) => n.data.id === id);
const ids = (items, cls) => items.filter((i) => i.classes.split(' ').includes(cls)).map((i) => i.data.id);

test('an empty state draws the switch alone, named once the switch is known', () => {
  const g = describe(initialState());
  assert.deepEqual(g.nodes.map((n) => n.data.label), ['switch']);
  assert.deepEqual(g.edges, []);
  assert.equal(node(describe(stateWith({ name: 'lab-sw' })), 'switch').data.label, 'lab-sw');
});

test('each port is a node with an uplink; a disabled or broken port is drawn down', () => {
  const g = describe(stateWith({ ports: [portView('lab-p1'), portView('lab-p2', { enabled: false }), portView('lab-p3', { operUp: false })] }));
  assert.deepEqual(ids(g.nodes, 'port'), ['port:lab-p1', 'port:lab-p2', 'port:lab-p3']);
  assert.deepEqual(ids(g.nodes, 'down'), ['port:lab-p2', 'port:lab-p3']);
  assert.deepEqual(g.edges.map((e) => [e.data.id, e.classes]),
    [['up:lab-p1', 'uplink'], ['up:lab-p2', 'uplink down'], ['up:lab-p3', 'uplink down']]);
  assert.equal(node(g, 'port:lab-p1').data.label, 'p1', 'labels drop the shared prefix');
});

test('trunk ports are pies of their VLANs, or marked as carrying every VLAN', () => {
  const g = describe(stateWith({ ports: [portView('t1', { mode: 'trunk', trunks: '10,20-21' }), portView('t2', { mode: 'trunk' })] }));
  assert.match(node(g, 'port:t1').classes, /\bpie3\b/);
  assert.ok(node(g, 'port:t1').data.p3, 'a color per slice');
  assert.match(node(g, 'port:t2').classes, /\btrunk-all\b/);
});

test('learned stations are drawn behind their port, one node per MAC with all its VLANs', () => {
  const s = stateWith({
    ports: [portView('p1'), portView('p2')],
    entries: [entry(A, 20, 'p1'), entry(A, 10, 'p1'), entry(B, 10, 'p2', { static: true }), entry(B, 30, 'gone')],
  });
  const g = describe(s);
  assert.deepEqual(ids(g.nodes, 'host').sort(), [`mac:p1/${A}`, `mac:p2/${B}`], 'a MAC on an unknown port is not drawn');
  assert.deepEqual(node(g, `mac:p1/${A}`).data.vlans, [10, 20]);
  assert.match(node(g, `mac:p1/${A}`).data.label, /vlan 10,20/);
  assert.match(node(g, `mac:p2/${B}`).classes, /\bstatic\b/);
  assert.ok(g.edges.some((e) => e.data.id === `link:mac:p1/${A}` && e.data.source === 'port:p1'));
  assert.ok(g.positions.has(`mac:p1/${A}`));
});

test('describing a state changes nothing in it', () => {
  const s = stateWith({ ports: [portView('p1')], entries: [entry(A, 20, 'p1'), entry(A, 10, 'p1')] });
  const kept = copyOf(s);
  describe(s);
  assert.deepEqual(copyOf(s), kept);
});

test('a MAC learned from an event appears without moving the ports or the other stations', () => {
  const s0 = stateWith({ ports: [portView('p1'), portView('p2')], entries: [entry(A, 10, 'p1')] });
  const before = describe(s0).positions;
  const after = describe(applyEvent(s0, 'fdb', fdbEvent('LEARNED', B, 10, 'p2')).state).positions;
  for (const id of ['switch', 'port:p1', 'port:p2', `mac:p1/${A}`]) assert.deepEqual(after.get(id), before.get(id), id);
  assert.ok(after.has(`mac:p2/${B}`));
});

test('a VM of a lab sits behind its ports, ahead of the stations learned there', () => {
  const s = stateWith({
    ports: [portView('ts-vm1-0'), portView('ts-vm1-1'), portView('p9')],
    entries: [entry(A, 10, 'ts-vm1-0')],
    vms: [
      { lab: 'two-vms', name: 'vm1', state: 'RUNNING', ports: ['ts-vm1-0', 'ts-vm1-1'] },
      { lab: 'two-vms', name: 'vm2', state: 'EXITED', ports: ['ts-vm2-0'] }, // its port is gone
    ],
  });
  const g = describe(s);
  assert.deepEqual(ids(g.nodes, 'vm'), ['vm:two-vms/vm1']);
  assert.deepEqual(g.edges.filter((e) => e.classes === 'vmlink').map((e) => e.data.source), ['port:ts-vm1-0', 'port:ts-vm1-1']);
  // The VM comes first among its port's stations, so however many are learned there, it stays
  // on the ring nearest to the port.
  const crowded = stateWith({
    ports: s.ports, vms: s.vms,
    entries: Array.from({ length: 30 }, (_, i) => entry(`02:00:00:00:01:${String(i).padStart(2, '0')}`, 10, 'ts-vm1-0')),
  });
  const positions = describe(crowded).positions;
  const r = (id) => Math.hypot(positions.get(id).x, positions.get(id).y);
  const stations = [...positions.keys()].filter((id) => id.startsWith('mac:ts-vm1-0/'));
  assert.equal(stations.length, 30);
  assert.ok(stations.every((id) => r(id) >= r('vm:two-vms/vm1') - 1e-9));
  assert.ok(stations.some((id) => r(id) > r('vm:two-vms/vm1') + 1), 'the stations spill onto outer rings, not the VM');
  const exited = describe(stateWith({ ports: [portView('ts-vm2-0')], vms: s.vms }));
  assert.match(node(exited, 'vm:two-vms/vm2').classes, /\bexited\b/);
});

test('a mirror draws an edge from each source to its output, whose port becomes a diamond', () => {
  const mirror = { config: { name: 'span', srcPorts: ['p1', 'p2'], dstPorts: ['p1', 'gone'], outputPort: 'p3' }, stats: {} };
  const rspan = { config: { name: 'rspan', srcPorts: ['p2'], outputVlan: 99 }, stats: {} };
  const g = describe(stateWith({ ports: [portView('p1'), portView('p2'), portView('p3')], mirrors: [mirror, rspan] }));
  assert.deepEqual(ids(g.edges, 'mirror'), ['mirror:span:p1', 'mirror:span:p2']);
  assert.deepEqual(ids(g.nodes, 'mirror-out'), ['port:p3']);
  assert.deepEqual(ids(g.nodes, 'mirror-src'), ['port:p1', 'port:p2']);
});

test('a port\'s VLANs for its color: the tag, then trunk ranges, at most a pie\'s worth', () => {
  assert.deepEqual(portVlans(null), []);
  assert.deepEqual(portVlans({ mode: 'access', tag: 10 }), [10]);
  assert.deepEqual(portVlans({ mode: 'native-untagged', tag: 5, trunks: '5,7-8' }), [5, 7, 8]);
  assert.equal(portVlans({ mode: 'trunk', trunks: '1-4094' }).length, MAX_PIE);
});

test('uplinks are thin when idle and thicker, up to a bound, as the rate grows', () => {
  assert.equal(edgeWidth(0), 1.5);
  assert.ok(edgeWidth(1e6) > edgeWidth(1e4));
  assert.equal(edgeWidth(1e15), 9.5);
});
