// The console's state in a multi-host fabric (state.js): which host an event belongs to, events
// held until /fabric says which host is this one, remote hosts' ports, MAC tables and rates, and
// an agent that runs alone handled exactly as before.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  HELD_MAX, applyEvent, applySnapshot, clustered, entryHost, fabricHost, fdbSeqFor, hostFdb, hostLoaded, hostPorts,
  hostTopic, initialState, isLocal, localHost, openHost, openHosts, port, rate, tunnelPeer,
} from '../../main/resources/webroot/js/state.js';
import {
  MONO0, WALL0, clusterFabric, copyOf, counters, entry, fabricHostView, fdbEvent, fdbOf, portView, standaloneFabric,
  stateWith, vtepView,
} from './fixtures.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';
const T0 = { mono: MONO0, wall: WALL0 };
const T1 = { mono: MONO0 + 1, wall: WALL0 + 1000 };

/** Host b's table as fdbOf shows this host's. */
const remoteFdbOf = (s, host) => [...hostFdb(s, host).values()].map((e) => `${e.vlan}/${e.mac}@${e.port}`).sort();

test('an agent alone: not clustered, untagged events are this host\'s, and nothing asks for /fabric', () => {
  const s0 = stateWith({ ports: [portView('p1')], fabric: standaloneFabric() });
  assert.equal(clustered(s0), false);
  assert.equal(localHost(s0), null);
  assert.equal(isLocal(s0, null), true);
  const config = applyEvent(s0, 'config', { revision: 2 });
  assert.deepEqual([...config.reload].sort(), ['mirrors', 'ports', 'switch', 'vlans', 'vms']);
  const down = applyEvent(s0, 'port', { port: 'p1', event: 'down' });
  assert.deepEqual([...down.reload].sort(), ['fdb', 'ports', 'switch', 'vlans', 'vms']);
  const learned = applyEvent(s0, 'fdb', fdbEvent('LEARNED', A, 10, 'p1'));
  assert.deepEqual(fdbOf(learned.state), [`10/${A}@p1`]);
  assert.deepEqual(learned.reload, []);
  assert.equal(learned.state.remote.size, 0);
});

test('before /fabric answered, untagged events are applied at once, as they always were', () => {
  const s0 = stateWith({ ports: [portView('p1')] });
  assert.equal(s0.fabric, null);
  const { state, reload } = applyEvent(s0, 'fdb', fdbEvent('LEARNED', A, 10, 'p1'));
  assert.deepEqual(fdbOf(state), [`10/${A}@p1`]);
  assert.deepEqual(reload, []);
  assert.deepEqual(state.held, []);
});

test('tagged events wait for /fabric, then are applied in order, each to its host', () => {
  let s = stateWith({ ports: [portView('p1'), vtepView('b')] });
  const events = [
    ['fdb', fdbEvent('LEARNED', A, 10, 'p1', 'a')],
    ['counters', { host: 'a', ports: [counters('p1', { rxBytes: 100 })] }, T0],
    ['counters', { host: 'b', ports: [counters('b1', { rxBytes: 1000 })] }, T0],
    ['fdb', fdbEvent('MOVED', A, 10, 'vtep-b', 'a')],
    ['counters', { host: 'a', ports: [counters('p1', { rxBytes: 350 })] }, T1],
    ['counters', { host: 'b', ports: [counters('b1', { rxBytes: 3000 })] }, T1],
  ];
  for (const [type, data, now] of events) {
    const u = applyEvent(s, type, data, now);
    assert.deepEqual(u.changed, [], 'nothing shows yet');
    assert.deepEqual(u.reload, ['fabric'], 'the fabric is asked for');
    s = u.state;
  }
  assert.equal(s.held.length, events.length);
  assert.deepEqual(fdbOf(s), []);
  const { state, changed } = applySnapshot(s, 'fabric', clusterFabric('a', ['b']));
  assert.deepEqual(state.held, []);
  assert.ok(changed.includes('fabric') && changed.includes('fdb') && changed.includes('rates'));
  assert.deepEqual(fdbOf(state), [`10/${A}@vtep-b`], 'this host\'s events, in order');
  assert.equal(rate(state, 'p1').rxBps, 2000, 'rates from the times the counters came, not when applied');
  assert.equal(rate(state, 'b1', 'b').rxBps, 16000);
  assert.equal(rate(state, 'b1').rxBps, 0, 'b\'s port is not this host\'s');
});

test('more held events than HELD_MAX: the oldest go, and this host\'s ports and table are fetched again', () => {
  let s = stateWith();
  for (let i = 0; i < HELD_MAX + 5; i++) s = applyEvent(s, 'counters', { host: 'b', ports: [] }, T0).state;
  assert.equal(s.held.length, HELD_MAX);
  assert.equal(s.heldDropped, true);
  const { state, reload } = applySnapshot(s, 'fabric', clusterFabric('a', ['b']));
  assert.deepEqual([...reload].sort(), ['fdb', 'ports']);
  assert.equal(state.heldDropped, false);
});

test('in a cluster, events tagged with this host\'s id are this host\'s; its changes also fetch the fabric', () => {
  const s0 = stateWith({ ports: [portView('p1')], fabric: clusterFabric('a', ['b']) });
  assert.equal(clustered(s0), true);
  assert.equal(localHost(s0), 'a');
  const learned = applyEvent(s0, 'fdb', fdbEvent('LEARNED', A, 10, 'p1', 'a'));
  assert.deepEqual(fdbOf(learned.state), [`10/${A}@p1`]);
  const down = applyEvent(s0, 'port', { port: 'p1', event: 'down', host: 'a' });
  assert.equal(port(down.state, 'p1').operUp, false);
  assert.ok(down.reload.includes('fabric') && down.reload.includes('ports'));
  const config = applyEvent(s0, 'config', { revision: 3, host: 'a' });
  assert.deepEqual([...config.reload].sort(), ['fabric', 'mirrors', 'ports', 'switch', 'vlans', 'vms']);
});

test('a remote host\'s counters give its own rates, and leave this host\'s alone', () => {
  let s = stateWith({ ports: [portView('p1')], fabric: clusterFabric('a', ['b']) });
  const mine = s.rates;
  s = applyEvent(s, 'counters', { host: 'b', ports: [counters('p1', { txBytes: 0 })] }, T0).state;
  const u = applyEvent(s, 'counters', { host: 'b', ports: [counters('p1', { txBytes: 500, txPackets: 5 })] }, T1);
  assert.deepEqual(u.changed, ['rates']);
  assert.equal(rate(u.state, 'p1', 'b').txBps, 4000);
  assert.equal(rate(u.state, 'p1', 'b').txPps, 5);
  assert.equal(u.state.rates, mine, 'a port of the same name here keeps its own history');
  assert.equal(rate(u.state, 'p1').txBps, 0);
  assert.equal(u.state.remote.get('b').open, false, 'rates alone do not open a host');
});

test('a remote host\'s ports and table are fetched when a user opens it, and only then kept', () => {
  const s0 = stateWith({ fabric: clusterFabric('a', ['b']) });
  const ignored = applyEvent(s0, 'fdb', fdbEvent('LEARNED', B, 10, 'b1', 'b'));
  assert.equal(ignored.state, s0, 'a closed host\'s MACs are not pieced together from events');
  const portEvent = applyEvent(s0, 'port', { port: 'b1', event: 'down', host: 'b' });
  assert.deepEqual(portEvent.reload, ['fabric'], 'its summary is the fabric\'s');

  const opened = openHost(s0, 'b');
  assert.deepEqual(opened.changed, ['hosts']);
  assert.deepEqual(opened.reload, [hostTopic('b', 'ports'), hostTopic('b', 'fdb')]);
  assert.deepEqual(openHosts(opened.state), ['b']);
  assert.equal(hostLoaded(opened.state, 'b'), false);
  assert.deepEqual(hostPorts(opened.state, 'b'), [], 'no ports before the answer');
  assert.deepEqual(openHost(opened.state, 'b').reload, opened.reload, 'opening again fetches again');
  assert.equal(openHost(s0, 'a').state, s0, 'this host is always open');
  assert.equal(openHost(s0, null).state, s0);

  let s = applySnapshot(opened.state, hostTopic('b', 'ports'), { ports: [portView('b1'), vtepView('a')] }).state;
  assert.deepEqual(hostPorts(s, 'b').map((p) => p.name), ['b1', 'vtep-a']);
  assert.equal(port(s, 'b1', 'b').name, 'b1');
  assert.equal(port(s, 'b1'), null, 'not a port of this host');
  assert.equal(hostLoaded(s, 'b', 'fdb'), false);
  s = applySnapshot(s, hostTopic('b', 'fdb'), { entries: [entry(B, 10, 'b1')] }).state;
  assert.deepEqual(remoteFdbOf(s, 'b'), [`10/${B}@b1`]);
  assert.deepEqual(fdbOf(s), [], 'this host\'s table is untouched');
  assert.ok(Object.isFrozen(hostPorts(s, 'b')[0]));
});

test('a remote table fetched while its events arrived keeps them: the same guard as this host\'s', () => {
  let s = openHost(stateWith({ fabric: clusterFabric('a', ['b']) }), 'b').state;
  const since = fdbSeqFor(s, hostTopic('b', 'fdb'));
  s = applyEvent(s, 'fdb', fdbEvent('LEARNED', C, 10, 'b2', 'b')).state;
  s = applyEvent(s, 'fdb', fdbEvent('EXPIRED', B, 10, 'b1', 'b')).state;
  assert.equal(fdbSeqFor(s, hostTopic('b', 'fdb')), since + 2);
  assert.equal(fdbSeqFor(s, 'fdb'), 0, 'this host\'s sequence is its own');
  const { state, changed, reload } = applySnapshot(s, hostTopic('b', 'fdb'), { entries: [entry(B, 10, 'b1')] }, since);
  assert.deepEqual(remoteFdbOf(state, 'b'), [`10/${C}@b2`]);
  assert.deepEqual(changed, ['fdb']);
  assert.deepEqual(reload, []);
  // Events after the answer patch the loaded table and are heard.
  const moved = applyEvent(state, 'fdb', fdbEvent('MOVED', C, 10, 'b1', 'b'));
  assert.deepEqual(moved.changed, ['fdb']);
  assert.deepEqual(remoteFdbOf(moved.state, 'b'), [`10/${C}@b1`]);
  assert.deepEqual(remoteFdbOf(state, 'b'), [`10/${C}@b2`], 'the earlier state is as it was');
  const unknown = applyEvent(state, 'fdb', fdbEvent('REWRITTEN', C, 10, 'b9', 'b'));
  assert.deepEqual(unknown.reload, [hostTopic('b', 'fdb')]);
});

test('a remote port going down shows at once; the host\'s ports, table and the fabric are fetched again', () => {
  const s0 = stateWith({ fabric: clusterFabric('a', ['b']), remote: { b: { ports: [portView('b1'), portView('b2')] } } });
  const kept = copyOf(s0);
  const { state, changed, reload } = applyEvent(s0, 'port', { port: 'b2', event: 'down', host: 'b' });
  assert.deepEqual(changed, ['ports']);
  assert.deepEqual([...reload].sort(), ['fabric', hostTopic('b', 'fdb'), hostTopic('b', 'ports')].sort());
  assert.equal(port(state, 'b2', 'b').operUp, false);
  assert.equal(hostPorts(state, 'b')[0], hostPorts(s0, 'b')[0], 'the other port is the same object');
  assert.deepEqual(copyOf(s0), kept);
  const config = applyEvent(s0, 'config', { revision: 9, host: 'b' });
  assert.equal(config.state, s0);
  assert.deepEqual(config.reload, ['fabric', hostTopic('b', 'ports')]);
});

test('the fabric names hosts; tunnel ports and the MACs behind them lead to their host', () => {
  const s = stateWith({
    ports: [portView('p1'), vtepView('b'), { ...vtepView('x'), name: 'vtep-198-18-0-9' }],
    fabric: clusterFabric('a', ['b', fabricHostView('c', { state: 'down' })]),
  });
  assert.equal(fabricHost(s, 'c').state, 'down');
  assert.equal(fabricHost(s, 'z'), null);
  assert.equal(tunnelPeer(s, port(s, 'vtep-b')), 'b');
  assert.equal(tunnelPeer(s, port(s, 'vtep-198-18-0-9')), null, 'a static VTEP is no host of the fabric');
  assert.equal(tunnelPeer(s, port(s, 'p1')), null);
  assert.equal(entryHost(s, entry(A, 10, 'vtep-b')), 'b', 'read from the port (events carry no host)');
  assert.equal(entryHost(s, entry(A, 10, 'vtep-198-18-0-9', { host: '198.18.0.9:4789' })), null);
  assert.equal(entryHost(s, entry(A, 10, 'p1')), null);
  assert.equal(entryHost(s, entry(A, 10, 'vtep-q', { host: 'c' })), 'c', 'the API names it');
});

test('what came from /fabric is frozen, and a new answer leaves the old state as it was', () => {
  const s0 = stateWith({ fabric: clusterFabric('a', ['b']) });
  assert.throws(() => { s0.fabric.hosts[1].state = 'down'; }, TypeError);
  const kept = copyOf(s0);
  const s1 = applySnapshot(s0, 'fabric', clusterFabric('a', [fabricHostView('b', { state: 'down' })])).state;
  assert.equal(fabricHost(s1, 'b').state, 'down');
  assert.equal(fabricHost(s0, 'b').state, 'up');
  assert.deepEqual(copyOf(s0), kept);
  assert.equal(initialState().fabric, null);
});
