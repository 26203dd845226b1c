// The lab-scale drawing (groups.js, graph.js past GROUP_THRESHOLD ports) and the search box (search.js).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { describe } from '../../main/resources/webroot/js/graph.js';
import {
  assignSlots, CELL, GROUP_THRESHOLD, gridLayout, groupOf, MAX_LISTED,
} from '../../main/resources/webroot/js/groups.js';
import { labelSpacing } from '../../main/resources/webroot/js/layout.js';
import { find, normalMac } from '../../main/resources/webroot/js/search.js';
import { applySnapshot, initialState } from '../../main/resources/webroot/js/state.js';
import { clusterFabric, entry, portView, stateWith, vtepView } from './fixtures.js';

const VLANS = [10, 20, 30, 40];

function lab(n, { macsPerPort = 0, vms = [] } = {}) {
  const ports = Array.from({ length: n }, (_, i) => portView(`tscs-p${i + 1}`, { vlan: VLANS[i % 4] }));
  const entries = [];
  ports.forEach((p, i) => {
    for (let k = 0; k < macsPerPort; k++) entries.push(entry(`02:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:${k.toString(16).padStart(2, '0')}`, p.vlan.tag, p.name));
  });
  let s = applySnapshot(initialState(), 'ports', { ports }).state;
  s = applySnapshot(s, 'fdb', { entries }).state;
  return applySnapshot(s, 'vms', { vms }).state;
}

const ofClass = (g, cls) => g.nodes.filter((n) => n.classes.split(' ').includes(cls));

test('up to the threshold ports stay on the ring; past it they are grouped by VLAN, each port in its group', () => {
  assert.equal(ofClass(describe(lab(GROUP_THRESHOLD)), 'vlan-group').length, 0);
  const g = describe(lab(256));
  const groups = ofClass(g, 'vlan-group');
  assert.deepEqual(groups.map((n) => n.data.id), ['group:vlan10', 'group:vlan20', 'group:vlan30', 'group:vlan40']);
  assert.ok(groups.every((n) => n.data.ports === 64 && /64 ports/.test(n.data.label)));
  const ports = ofClass(g, 'port');
  assert.equal(ports.length, 256);
  assert.equal(ports.find((n) => n.data.name === 'tscs-p6').data.parent, 'group:vlan20');
  assert.equal(g.edges.filter((e) => e.classes.startsWith('uplink')).length, 0, 'no edge per port from the switch');
});

test('a trunk goes to the trunk group; a port is in the group of its access VLAN', () => {
  assert.equal(groupOf(portView('a', { vlan: 7 })), 'vlan7');
  assert.equal(groupOf(portView('b', { mode: 'trunk', trunks: '10-20' })), 'trunk');
});

test('at lab scale stations are counted per port, and listed only for an expanded port', () => {
  const s = lab(64, { macsPerPort: 8, vms: [{ lab: 'l', name: 'vm1', state: 'RUNNING', ports: ['tscs-p3'] }] });
  const g = describe(s);
  assert.equal(ofClass(g, 'host').length, 0);
  const counts = ofClass(g, 'station-count');
  assert.equal(counts.length, 64);
  assert.equal(counts.find((n) => n.data.port === 'tscs-p3').data.label, '9', 'eight MACs and a VM');
  const open = describe(s, { expanded: new Set(['port:tscs-p3']) });
  assert.equal(ofClass(open, 'host').length, 8);
  assert.deepEqual(ofClass(open, 'vm').map((n) => n.data.id), ['vm:l/vm1']);
  assert.ok(!ofClass(open, 'station-count').some((n) => n.data.port === 'tscs-p3'));
  // Listed to the right of the group's grid, one under another, their labels apart.
  const xs = new Set(ofClass(open, 'host').map((n) => open.positions.get(n.data.id).x));
  assert.equal(xs.size, 1);
  const portX = Math.max(...ofClass(open, 'port').filter((n) => n.data.parent === 'group:vlan30').map((n) => open.positions.get(n.data.id).x));
  assert.ok([...xs][0] > portX + CELL / 2);
  // Listing them moves no port.
  for (const n of ofClass(g, 'port')) assert.deepEqual(open.positions.get(n.data.id), g.positions.get(n.data.id));
});

test('a port with more stations than a list holds lists the first ones and counts the rest', () => {
  const s = lab(48, { macsPerPort: MAX_LISTED + 5 });
  const g = describe(s, { expanded: new Set(['port:tscs-p1']) });
  assert.equal(ofClass(g, 'host').length, MAX_LISTED);
  assert.match(ofClass(g, 'more')[0].data.label, /^5 more/);
});

test('a collapsed group is one node in place of its ports, where its grid was', () => {
  const s = lab(256);
  const open = describe(s);
  const shut = describe(s, { collapsed: new Set(['group:vlan30']), slots: open.slots });
  const group = shut.nodes.find((n) => n.data.id === 'group:vlan30');
  assert.match(group.classes, /collapsed/);
  assert.equal(ofClass(shut, 'port').length, 192);
  assert.ok(!ofClass(shut, 'port').some((n) => n.data.parent === 'group:vlan30'));
  for (const n of ofClass(shut, 'port')) assert.deepEqual(shut.positions.get(n.data.id), open.positions.get(n.data.id));
});

test('ports keep their grid slots as ports come and go', () => {
  const s = lab(256);
  const first = describe(s);
  const fewer = applySnapshot(s, 'ports', { ports: s.ports.filter((p) => p.name !== 'tscs-p5') }).state;
  const second = describe(fewer, { slots: first.slots });
  for (const n of ofClass(second, 'port')) assert.deepEqual(second.positions.get(n.data.id), first.positions.get(n.data.id), n.data.id);
  // A new port takes the free slot; nobody moves.
  const more = applySnapshot(fewer, 'ports', { ports: [...fewer.ports, portView('tscs-p999', { vlan: 10 })] }).state;
  const third = describe(more, { slots: second.slots });
  assert.deepEqual(third.positions.get('port:tscs-p999'), first.positions.get('port:tscs-p5'));
  for (const n of ofClass(second, 'port')) assert.deepEqual(third.positions.get(n.data.id), second.positions.get(n.data.id));
});

test('slots: kept ones stay, new ports fill the first free ones in name order, the column count stays', () => {
  const a = assignSlots(new Map([['vlan10', ['p1', 'p2', 'p10']]]));
  assert.deepEqual([...a.get('vlan10').slots], [['p1', 0], ['p2', 1], ['p10', 2]]);
  const b = assignSlots(new Map([['vlan10', ['p1', 'p10', 'p3', ...Array.from({ length: 30 }, (_, i) => `q${i}`)]]]), a);
  assert.equal(b.get('vlan10').slots.get('p10'), 2);
  assert.equal(b.get('vlan10').slots.get('p3'), 1);
  assert.equal(b.get('vlan10').cols, a.get('vlan10').cols);
});

test('groups do not overlap, nor do the ports in them', () => {
  const grid = assignSlots(new Map(VLANS.map((v, i) => [`vlan${v}`, Array.from({ length: 40 + i * 7 }, (_, k) => `p${v}-${k}`)])));
  const { groups, positions } = gridLayout(grid);
  const boxes = [...groups.values()];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i];
      const b = boxes[j];
      assert.ok(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y);
    }
  }
  const pts = [...positions].filter(([id]) => id.startsWith('port:')).map(([, p]) => `${p.x},${p.y}`);
  assert.equal(new Set(pts).size, pts.length);
});

test('stations side by side need a label\'s width, one above the other its height', () => {
  assert.ok(labelSpacing(0, 42) >= 88);
  assert.equal(labelSpacing(Math.PI / 2, 42), 42);
});

test('search: a port by name, a VLAN by number, a station by MAC in any spelling, a VM, else a port containing it', () => {
  const s = lab(256, { macsPerPort: 1, vms: [{ lab: 'two', name: 'vm-web', state: 'RUNNING', ports: ['tscs-p9'] }] });
  assert.deepEqual(find(s, 'tscs-p17'), { kind: 'port', name: 'tscs-p17', host: null });
  assert.deepEqual(find(s, 'vlan 30'), { kind: 'vlan', vlan: 30 });
  assert.deepEqual(find(s, '20'), { kind: 'vlan', vlan: 20 });
  const mac = [...s.fdb.values()].find((e) => e.port === 'tscs-p42').mac;
  assert.deepEqual(find(s, mac.toUpperCase().replace(/:/g, '-')), { kind: 'mac', mac, port: 'tscs-p42', vlan: 20, host: null });
  assert.equal(find(s, 'web').port, 'tscs-p9');
  assert.equal(find(s, 'p255').name, 'tscs-p255');
  assert.equal(find(s, 'nothing-like-this'), null);
  assert.equal(find(s, '  '), null);
  assert.equal(normalMac('0274.7300.0001'), '02:74:73:00:00:01');
  assert.equal(normalMac('tscs-p1'), null);
});

test('in a fabric, a host at lab scale nests its VLAN groups in its box; another host\'s groups keep its prefix', () => {
  const many = (prefix) => Array.from({ length: 48 }, (_, i) => portView(`${prefix}${i + 1}`, { vlan: VLANS[i % 2] }));
  const s = stateWith({
    ports: [...many('a'), vtepView('b')],
    entries: [entry('02:00:00:00:00:01', 10, 'a1')],
    fabric: clusterFabric('a', ['b']),
    remote: { b: { ports: many('b'), entries: [entry('02:00:00:00:00:02', 20, 'b2')] } },
  });
  const g = describe(s, { expanded: new Set(['host:b/port:b2']) });
  const node = (id) => g.nodes.find((n) => n.data.id === id);
  assert.equal(node('group:vlan10').data.parent, 'host:a');
  assert.equal(node('port:a1').data.parent, 'group:vlan10');
  assert.equal(node('host:b/group:vlan20').data.parent, 'host:b');
  assert.equal(node('host:b/port:b2').data.parent, 'host:b/group:vlan20');
  assert.equal(node('port:vtep-b').data.parent, 'group:trunk');
  assert.ok(node('count:a1'), 'this host\'s station counted');
  assert.equal(node('host:b/mac:b2/02:00:00:00:00:02').data.parent, 'host:b/group:vlan20', 'b\'s expanded port lists its station');
  // The two hosts' drawings do not overlap.
  const xs = (host) => g.nodes.filter((n) => n.data.host === host && g.positions.has(n.data.id)).map((n) => g.positions.get(n.data.id).x);
  assert.ok(Math.max(...xs(null)) < Math.min(...xs('b')));
  // Each host keeps its own slots.
  assert.ok([...g.slots.keys()].includes('#vlan10') && [...g.slots.keys()].includes('host:b/#vlan10'));
});
