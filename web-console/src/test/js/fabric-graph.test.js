// What the topology draws for a fabric (graph.js): a compound node per host, tunnels between
// hosts with their health and rates, hosts that are down or partitioned, and stations learned
// through a tunnel drawn behind the host they sit on. An agent alone is drawn as it always was.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { carriesVlan, describe, edgeWidth, portNodeId, tunnelLabel } from '../../main/resources/webroot/js/graph.js';
import { applyEvent } from '../../main/resources/webroot/js/state.js';
import {
  MONO0, WALL0, clusterFabric, copyOf, counters, entry, fabricHostView, portView, standaloneFabric, stateWith, vtepView,
} from './fixtures.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';

const node = (graph, id) => graph.nodes.find((n) => n.data.id === id);
const edge = (graph, id) => graph.edges.find((e) => e.data.id === id);
const ids = (items, cls) => items.filter((i) => i.classes.split(' ').includes(cls)).map((i) => i.data.id);
const has = (item, cls) => item.classes.split(' ').includes(cls);

/** Host a with two access ports and its tunnel port to b; b as /fabric describes it. */
function twoHosts({ b = fabricHostView('b'), remote = {}, entries = [entry(A, 10, 'a1')] } = {}) {
  return stateWith({
    name: 'sw-a',
    ports: [portView('a1'), portView('a2'), vtepView('b')],
    entries,
    fabric: clusterFabric('a', [b]),
    remote,
  });
}

test('an agent alone is drawn exactly as before /fabric answered: no compound, no tunnel', () => {
  const parts = { ports: [portView('p1'), portView('p2'), vtepView('b')], entries: [entry(A, 10, 'p1'), entry(B, 10, 'vtep-b')] };
  const before = describe(stateWith(parts));
  const alone = describe(stateWith({ ...parts, fabric: standaloneFabric() }));
  assert.deepEqual(alone, before);
  assert.deepEqual(ids(alone.nodes, 'fabric-host'), []);
  assert.deepEqual(ids(alone.edges, 'tunnel'), []);
  assert.ok(node(alone, `mac:vtep-b/${B}`), 'alone, a MAC behind a tunnel port sits behind that port');
});

test('a cluster: one compound per host, this host\'s elements keep their ids', () => {
  const s = twoHosts();
  const g = describe(s);
  assert.deepEqual(ids(g.nodes, 'fabric-host'), ['host:a', 'host:b']);
  assert.match(node(g, 'host:a').data.label, /^a \(this host\)$/);
  assert.ok(has(node(g, 'host:a'), 'local'));
  assert.ok(has(node(g, 'host:b'), 'remote') && has(node(g, 'host:b'), 'closed'), 'b is not open yet');
  for (const id of ['switch', 'port:a1', 'port:a2', 'port:vtep-b', `mac:a1/${A}`]) {
    assert.equal(node(g, id).data.parent, 'host:a', id);
    assert.equal(node(g, id).data.host, null, `${id} is this host's`);
  }
  assert.equal(node(g, 'switch').data.label, 'sw-a');
  // Until b is opened, its switch stands for it, with what the fabric says of it.
  const bSwitch = node(g, 'host:b/switch');
  assert.equal(bSwitch.data.parent, 'host:b');
  assert.equal(bSwitch.data.hostId, 'b');
  assert.equal(bSwitch.data.label, 'sw-b\n2 ports · 3 MACs');
  assert.deepEqual(g.nodes.filter((n) => n.data.parent === 'host:b').map((n) => n.data.id), ['host:b/switch']);
  // b to the right of this host, clear of all of it.
  const rightmost = Math.max(...g.nodes.filter((n) => n.data.parent === 'host:a').map((n) => g.positions.get(n.data.id).x));
  assert.ok(g.positions.get('host:b/switch').x > rightmost + 100);
  assert.equal(g.positions.has('host:a'), false, 'compounds take the place of what they hold');
});

test('this host is drawn where it is drawn alone, its tunnel ports turned toward their peers', () => {
  const radius = (p) => Math.hypot(p.x, p.y);
  const s = twoHosts({ remote: { b: { ports: [portView('b1'), portView('b2'), vtepView('a')] } } });
  const g = describe(s);
  const alone = describe(stateWith({ ports: s.ports, entries: [entry(A, 10, 'a1')] })).positions;
  assert.deepEqual(g.positions.get('switch'), { x: 0, y: 0 });
  for (const name of ['a1', 'a2', 'vtep-b']) {
    assert.ok(Math.abs(radius(g.positions.get(`port:${name}`)) - radius(alone.get(`port:${name}`))) < 1e-9, `${name} on the same ring`);
  }
  assert.ok(g.positions.get('port:vtep-b').x > 0, 'a\'s tunnel port faces b, on its right');
  const bSwitch = g.positions.get('host:b/switch');
  assert.ok(g.positions.get('host:b/port:vtep-a').x < bSwitch.x, 'b\'s faces a, on its left');
  // Without tunnel ports (no VXLAN data plane) nothing turns: exactly the places of an agent alone.
  const plain = stateWith({ ports: [portView('a1'), portView('a2')], entries: [entry(A, 10, 'a1')], fabric: clusterFabric('a', ['b']) });
  const alonePlain = describe(stateWith({ ports: plain.ports, entries: [entry(A, 10, 'a1')] })).positions;
  const gp = describe(plain).positions;
  for (const [id, pos] of alonePlain) assert.deepEqual(gp.get(id), pos, id);
});

test('an opened host shows its own ports and stations inside its compound, with its own ids', () => {
  const g = describe(twoHosts({ remote: { b: { ports: [portView('b1'), vtepView('a')], entries: [entry(B, 10, 'b1')] } } }));
  assert.ok(!has(node(g, 'host:b'), 'closed'));
  for (const id of ['host:b/switch', 'host:b/port:b1', 'host:b/port:vtep-a', `host:b/mac:b1/${B}`]) {
    assert.equal(node(g, id).data.parent, 'host:b', id);
    assert.equal(node(g, id).data.host, 'b', id);
    assert.ok(g.positions.has(id), `${id} has a place`);
  }
  assert.equal(node(g, 'host:b/switch').data.label, 'sw-b');
  assert.equal(node(g, 'host:b/port:b1').data.name, 'b1', 'the panels find the port by name and host');
  const up = edge(g, 'host:b/up:b1');
  assert.deepEqual([up.data.source, up.data.target, up.data.port, up.data.host], ['host:b/switch', 'host:b/port:b1', 'b1', 'b']);
  assert.equal(edge(g, `host:b/link:mac:b1/${B}`).data.source, 'host:b/port:b1');
  assert.equal(portNodeId(twoHosts(), 'b1', 'b'), 'host:b/port:b1');
  assert.equal(portNodeId(twoHosts(), 'a1', 'a'), 'port:a1');
  assert.equal(portNodeId(twoHosts(), 'a1'), 'port:a1');
});

test('a tunnel joins the two hosts\' tunnel ports, colored by the health this host\'s probes give it', () => {
  const open = { b: { ports: [portView('b1'), vtepView('a')] } };
  for (const health of ['up', 'down', 'mtu-bad', 'unknown']) {
    const g = describe(twoHosts({ b: fabricHostView('b', { tunnel: health }), remote: open }));
    assert.deepEqual(ids(g.edges, 'tunnel'), ['tunnel:a~b']);
    const t = edge(g, 'tunnel:a~b');
    assert.deepEqual([t.data.source, t.data.target], ['port:vtep-b', 'host:b/port:vtep-a']);
    assert.equal(t.data.health, health);
    assert.ok(has(t, `health-${health}`));
    assert.equal(t.data.label, health, 'idle: the health alone');
    assert.ok(!has(t, 'no-port'));
  }
  // b not opened: the tunnel ends at b's switch.
  const closed = edge(describe(twoHosts()), 'tunnel:a~b');
  assert.deepEqual([closed.data.source, closed.data.target], ['port:vtep-b', 'host:b/switch']);
});

test('without tunnel ports (no VXLAN data plane, or the port removed) the tunnel joins the switches', () => {
  const s = stateWith({ ports: [portView('a1')], fabric: clusterFabric('a', [fabricHostView('b', { tunnel: 'unknown', port: null })]) });
  const t = edge(describe(s), 'tunnel:a~b');
  assert.deepEqual([t.data.source, t.data.target], ['switch', 'host:b/switch']);
  assert.ok(has(t, 'no-port'));
  assert.equal(t.data.ratePort, null);
});

test('a tunnel is as wide as its port\'s rate and says what it carries each way', () => {
  let s = twoHosts();
  const t0 = { mono: MONO0, wall: WALL0 };
  const t1 = { mono: MONO0 + 1, wall: WALL0 + 1000 };
  s = applyEvent(s, 'counters', { host: 'a', ports: [counters('vtep-b')] }, t0).state;
  s = applyEvent(s, 'counters', { host: 'a', ports: [counters('vtep-b', { rxBytes: 125000, txBytes: 1250 })] }, t1).state;
  const t = edge(describe(s), 'tunnel:a~b');
  assert.equal(t.data.label, 'up · in 1.0 Mb/s · out 10 kb/s');
  assert.equal(t.data.width, edgeWidth(1_010_000));
  assert.ok(t.data.width > edgeWidth(0));
  assert.deepEqual([t.data.ratePort, t.data.rateHost], ['vtep-b', null]);
  assert.equal(tunnelLabel('mtu-bad', { rxBps: 0, txBps: 0 }), 'mtu-bad');
});

test('a host that is down is drawn down, all of it; a partitioned one is marked, not greyed', () => {
  const remote = { b: { ports: [portView('b1'), vtepView('a')], entries: [entry(B, 10, 'b1')] } };
  const g = describe(twoHosts({ b: fabricHostView('b', { state: 'down', tunnel: 'down', port: null }), remote }));
  assert.ok(has(node(g, 'host:b'), 'state-down'));
  assert.equal(node(g, 'host:b').data.label, 'b · down');
  for (const id of ['host:b/switch', 'host:b/port:b1', `host:b/mac:b1/${B}`]) assert.ok(has(node(g, id), 'in-down'), id);
  assert.ok(has(edge(g, 'host:b/up:b1'), 'in-down'));
  assert.ok(!has(node(g, 'port:a1'), 'in-down'), 'this host is up');
  assert.ok(!has(node(g, 'host:a'), 'state-down'));
  const t = edge(g, 'tunnel:a~b');
  assert.ok(has(t, 'peer-down') && has(t, 'health-down'));

  const p = describe(twoHosts({ b: fabricHostView('b', { state: 'partitioned' }), remote }));
  assert.ok(has(node(p, 'host:b'), 'state-partitioned'));
  assert.equal(node(p, 'host:b').data.label, 'b · partitioned');
  assert.ok(!has(node(p, 'host:b/port:b1'), 'in-down'));
  assert.ok(has(edge(p, 'tunnel:a~b'), 'peer-partitioned'));
});

test('a MAC learned through the tunnel sits behind its host, not behind this host\'s tunnel port', () => {
  const entries = [entry(A, 10, 'a1'), entry(B, 10, 'vtep-b'), entry(B, 20, 'vtep-b'), entry(C, 30, 'vtep-b', { host: 'b' })];
  const g = describe(twoHosts({ entries }));
  assert.equal(node(g, `mac:vtep-b/${B}`), undefined, 'not behind the tunnel port');
  const station = node(g, `host:b/tunnel-mac:${B}`);
  assert.equal(station.data.parent, 'host:b');
  assert.deepEqual(station.data.vlans, [10, 20]);
  assert.equal(station.data.mac, B);
  assert.equal(station.data.table, null, 'found in this host\'s table');
  assert.equal(edge(g, `host:b/link:tunnel-mac:${B}`).data.source, 'host:b/switch');
  assert.ok(node(g, `host:b/tunnel-mac:${C}`));
  assert.ok(g.positions.has(`host:b/tunnel-mac:${B}`));
  assert.ok(g.positions.get(`host:b/tunnel-mac:${B}`).x > g.positions.get('port:vtep-b').x, 'beside b, right of this host');

  // Once b is open and its own table has the MAC on one of its ports, it is drawn there only.
  const opened = describe(twoHosts({ entries, remote: { b: { ports: [portView('b1'), vtepView('a')], entries: [entry(B, 10, 'b1')] } } }));
  assert.ok(node(opened, `host:b/mac:b1/${B}`));
  assert.equal(node(opened, `host:b/tunnel-mac:${B}`), undefined);
  assert.ok(node(opened, `host:b/tunnel-mac:${C}`), 'b does not have that one behind a port of its own');

  // A static VTEP is no host of the fabric: its MACs stay behind its port.
  const statics = describe(stateWith({
    ports: [portView('a1'), { ...vtepView('x'), name: 'vtep-198-18-0-9' }],
    entries: [entry(C, 10, 'vtep-198-18-0-9', { host: '198.18.0.9:4789' })],
    fabric: clusterFabric('a', ['b']),
  }));
  assert.ok(node(statics, `mac:vtep-198-18-0-9/${C}`));
});

test('this host\'s MACs that a remote host learned through its tunnel are not drawn twice', () => {
  const g = describe(twoHosts({
    entries: [entry(A, 10, 'a1')],
    remote: { b: { ports: [portView('b1'), vtepView('a')], entries: [entry(A, 10, 'vtep-a', { host: 'a' })] } },
  }));
  assert.ok(node(g, `mac:a1/${A}`));
  assert.deepEqual(g.nodes.filter((n) => n.data.mac === A).map((n) => n.data.id), [`mac:a1/${A}`]);
});

test('three hosts: a tunnel between two others is drawn once one of them is open, its health unknown here', () => {
  const s = stateWith({
    ports: [portView('a1'), vtepView('b'), vtepView('c')],
    fabric: clusterFabric('a', ['b', fabricHostView('c', { tunnel: 'mtu-bad' })]),
    remote: { b: { ports: [portView('b1'), vtepView('a'), vtepView('c')] } },
  });
  const g = describe(s);
  assert.deepEqual(ids(g.edges, 'tunnel').sort(), ['tunnel:a~b', 'tunnel:a~c', 'tunnel:b~c']);
  assert.equal(edge(g, 'tunnel:a~c').data.health, 'mtu-bad');
  const bc = edge(g, 'tunnel:b~c');
  assert.equal(bc.data.health, 'unknown');
  assert.deepEqual([bc.data.source, bc.data.target], ['host:b/port:vtep-c', 'host:c/switch']);
  assert.deepEqual([bc.data.ratePort, bc.data.rateHost], ['vtep-c', 'b']);
  const xs = ['switch', 'host:b/switch', 'host:c/switch'].map((id) => g.positions.get(id).x);
  assert.ok(xs[0] < xs[1] && xs[1] < xs[2], 'hosts left to right, in the fabric\'s order');
  // Neither b nor c open: only this host's tunnels.
  const closed = describe(stateWith({ ports: s.ports, fabric: s.fabric }));
  assert.deepEqual(ids(closed.edges, 'tunnel').sort(), ['tunnel:a~b', 'tunnel:a~c']);
});

test('describing a fabric changes nothing in the state', () => {
  const s = twoHosts({ entries: [entry(B, 10, 'vtep-b')], remote: { b: { ports: [portView('b1')], entries: [entry(C, 10, 'b1')] } } });
  const kept = copyOf(s);
  describe(s);
  assert.deepEqual(copyOf(s), kept);
});

test('a VLAN is carried by a port\'s configuration: access by its tag, trunks by their list or all', () => {
  assert.equal(carriesVlan({ mode: 'access', tag: 10 }, 10), true);
  assert.equal(carriesVlan({ mode: 'access', tag: 10 }, 20), false);
  assert.equal(carriesVlan({ mode: 'trunk' }, 999), true);
  assert.equal(carriesVlan(null, 5), true);
  assert.equal(carriesVlan({ mode: 'trunk', trunks: '10,20-29' }, 25), true);
  assert.equal(carriesVlan({ mode: 'trunk', trunks: '10,20-29' }, 30), false);
  assert.equal(carriesVlan({ mode: 'native-untagged', tag: 5, trunks: '10' }, 5), true);
  assert.equal(carriesVlan({ mode: 'native-untagged', tag: 5, trunks: '10' }, 10), true);
  assert.equal(carriesVlan({ mode: 'native-untagged', tag: 5, trunks: '10' }, 11), false);
});

test('the tunnel endpoint is not drawn, and a shortened tunnel port name is matched through /fabric', () => {
  const long = 'rack7-host42';
  const shortened = 'vtep-rack7-1a2b';
  const endpoint = { ...portView('vxlan0'), kind: 'tunnel', vlan: null };
  const tunnelPort = { ...vtepView('x'), name: shortened };
  const s = stateWith({
    name: 'sw-a',
    ports: [portView('a1'), endpoint, tunnelPort],
    entries: [],
    fabric: clusterFabric('a', [fabricHostView(long, { port: shortened })]),
  });
  const g = describe(s);
  assert.equal(node(g, 'port:vxlan0'), undefined, 'the endpoint reads for every VTEP and is never an egress');
  assert.ok(node(g, `port:${shortened}`));
  const t = edge(g, `tunnel:a~${long}`);
  assert.ok(t, 'a tunnel to the long-named host');
  assert.equal(t.data.source, `port:${shortened}`);
  assert.equal(t.data.ratePort, shortened);
});
