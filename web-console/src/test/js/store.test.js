// The store with its effects, against a fake API whose answers the test releases when it wants:
// what listeners see, a fetch racing events, and debounced reloads.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Store } from '../../main/resources/webroot/js/store.js';
import { hostFdb } from '../../main/resources/webroot/js/state.js';
import { clusterFabric, entry, fabricHostView, fdbEvent, fdbOf, portView, standaloneFabric } from './fixtures.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';

/**
 * An API whose every call waits until the test answers it; calls are counted per method, and a
 * remote host's as METHOD:HOST (hostPorts:b).
 */
class FakeApi {
  constructor() {
    this.calls = new Map();
    this.waiting = new Map();
    for (const method of ['switchInfo', 'ports', 'fdb', 'vlans', 'mirrors', 'vms', 'fabric', 'autoAttach', 'hostPorts', 'hostFdb']) {
      this[method] = (host) => {
        const key = host === undefined ? method : `${method}:${host}`;
        this.calls.set(key, (this.calls.get(key) || 0) + 1);
        return new Promise((resolve) => {
          this.waiting.set(key, [...(this.waiting.get(key) || []), resolve]);
        });
      };
    }
  }

  count(method) {
    return this.calls.get(method) || 0;
  }

  /** Answers the oldest open call of `method`. */
  answer(method, body) {
    const open = this.waiting.get(method) || [];
    assert.ok(open.length > 0, `no open ${method} call`);
    open.shift()(body);
  }
}

const EMPTY = {
  switchInfo: { name: 'sw' }, ports: { ports: [] }, fdb: { entries: [] },
  vlans: { vlans: [], allVlans: [] }, mirrors: { mirrors: [] }, vms: { vms: [] }, autoAttach: { rules: [] },
};

/** Everything loading everything asks for, of an agent alone. */
const EVERYTHING = { ...EMPTY, fabric: standaloneFabric() };

function sleep(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

test('loading everything fills the state and tells each topic\'s listeners once', async () => {
  const fake = new FakeApi();
  const store = new Store(fake);
  const heard = [];
  for (const t of ['switch', 'ports', 'fdb', 'vlans', 'mirrors', 'vms', 'fabric', 'autoAttach']) store.on(t, () => heard.push(t));
  const loaded = store.loadAll();
  for (const [method, body] of Object.entries({ ...EVERYTHING, ports: { ports: [portView('p1')] }, fdb: { entries: [entry(A, 10, 'p1')] } })) {
    fake.answer(method, body);
  }
  await loaded;
  assert.deepEqual([...heard].sort(), ['autoAttach', 'fabric', 'fdb', 'mirrors', 'ports', 'switch', 'vlans', 'vms']);
  assert.equal(store.switchInfo.name, 'sw');
  assert.equal(store.port('p1').name, 'p1');
  assert.deepEqual(fdbOf(store.state), [`10/${A}@p1`]);
});

test('each listener reads a new state; the state an earlier listener kept does not change', async () => {
  const store = new Store(new FakeApi());
  const seen = [];
  store.on('fdb', (s) => seen.push(s.state));
  store.apply('fdb', fdbEvent('LEARNED', A, 10, 'p1'));
  store.apply('fdb', fdbEvent('LEARNED', B, 10, 'p2'));
  assert.equal(seen.length, 2);
  assert.notEqual(seen[0], seen[1]);
  assert.deepEqual(fdbOf(seen[0]), [`10/${A}@p1`]);
  assert.deepEqual(fdbOf(seen[1]), [`10/${A}@p1`, `10/${B}@p2`]);
  assert.equal(store.fdb, seen[1].fdb);
});

test('an FDB fetch answered after newer events does not bring back what they changed', async () => {
  const fake = new FakeApi();
  const store = new Store(fake);
  const loading = store.load('fdb');
  store.apply('fdb', fdbEvent('LEARNED', B, 10, 'p2'));
  store.apply('fdb', fdbEvent('EXPIRED', A, 10, 'p1'));
  fake.answer('fdb', { entries: [entry(A, 10, 'p1')] }); // taken before both events
  await loading;
  assert.deepEqual(fdbOf(store.state), [`10/${B}@p2`]);
  await sleep(250);
  assert.equal(fake.count('fdb'), 1, 'nothing had to be fetched again');
});

test('events that ask for reloads are answered by one fetch per topic, after a short pause', async () => {
  const fake = new FakeApi();
  const store = new Store(fake);
  store.apply('config', { revision: 1 });
  store.apply('config', { revision: 2 });
  store.apply('port', { port: 'p1', event: 'added' });
  assert.equal(fake.count('ports'), 0, 'not at once');
  await sleep(250);
  for (const method of ['switchInfo', 'ports', 'vlans', 'mirrors', 'vms', 'fdb']) {
    assert.equal(fake.count(method), 1, method);
  }
  // The agent reads its auto-attach rules at start only: a change of configuration leaves them.
  assert.equal(fake.count('autoAttach'), 0);
  for (const [method, body] of Object.entries(EMPTY)) if (method !== 'autoAttach') fake.answer(method, body);
});

test('a failed reload reaches the error handler', async () => {
  const store = new Store({ ...new FakeApi(), ports: () => Promise.reject(new Error('agent gone')) });
  const errors = [];
  store.onError((e) => errors.push(e.message));
  store.reloadSoon('ports');
  await sleep(250);
  assert.deepEqual(errors, ['agent gone']);
});

test('loading everything is tried again after a failure, until it gets through', async () => {
  const fake = new FakeApi();
  let failures = 1;
  const store = new Store({
    ...fake,
    mirrors: () => (failures-- > 0 ? Promise.reject(new Error('net::ERR_NETWORK_CHANGED')) : Promise.resolve(EMPTY.mirrors)),
  });
  const errors = [];
  store.onError((e) => errors.push(e.message));
  const loaded = store.loadAllUntilDone();
  for (let round = 0; round < 2; round++) {
    await sleep(round === 0 ? 0 : 600);
    for (const [method, body] of Object.entries({ ...EVERYTHING, ports: { ports: [portView('p1')] } })) {
      if (method !== 'mirrors') fake.answer(method, body);
    }
  }
  assert.equal(await loaded, true);
  assert.deepEqual(errors, ['net::ERR_NETWORK_CHANGED']);
  assert.equal(fake.count('ports'), 2);
  assert.equal(store.port('p1').name, 'p1');
});

test('a newer load (the stream reconnected) takes over from one still retrying', async () => {
  let down = true;
  const answers = Object.fromEntries(Object.entries(EVERYTHING).map(([method, body]) => [method, () => Promise.resolve(body)]));
  const store = new Store({ ...answers, ports: () => (down ? Promise.reject(new Error('agent gone')) : Promise.resolve(EMPTY.ports)) });
  const first = store.loadAllUntilDone();
  await sleep(0);
  const second = store.loadAllUntilDone();
  assert.equal(await first, false, 'the first stops retrying once the second started');
  down = false;
  assert.equal(await second, true);
});

test('in a cluster, tagged events wait for the fabric, which the store fetches for them', async () => {
  const fake = new FakeApi();
  const store = new Store(fake);
  const heard = [];
  store.on('fdb', () => heard.push('fdb'));
  store.apply('fdb', fdbEvent('LEARNED', A, 10, 'p1', 'a'));
  store.apply('fdb', fdbEvent('LEARNED', B, 10, 'b1', 'b'));
  assert.deepEqual(heard, []);
  await sleep(250);
  assert.equal(fake.count('fabric'), 1, 'one fetch for both');
  fake.answer('fabric', clusterFabric('a', ['b']));
  await sleep(0);
  assert.deepEqual(fdbOf(store.state), [`10/${A}@p1`], 'b\'s MAC is b\'s, and b is not open');
  assert.deepEqual(heard, ['fdb']);
});

test('opening a remote host fetches its ports and table; a table fetch racing its events keeps them', async () => {
  const fake = new FakeApi();
  const store = new Store(fake);
  const fabric = store.load('fabric');
  fake.answer('fabric', clusterFabric('a', ['b']));
  await fabric;
  store.openHost('b');
  await sleep(250);
  assert.equal(fake.count('hostPorts:b'), 1);
  assert.equal(fake.count('hostFdb:b'), 1);
  store.apply('fdb', fdbEvent('LEARNED', B, 10, 'b2', 'b')); // after the request went out
  fake.answer('hostPorts:b', { ports: [portView('b1'), portView('b2')] });
  fake.answer('hostFdb:b', { entries: [entry(A, 10, 'b1')] });
  await sleep(0);
  assert.deepEqual(store.state.remote.get('b').ports.map((p) => p.name), ['b1', 'b2']);
  assert.deepEqual([...hostFdb(store.state, 'b').keys()].sort(), [`10/${A}`, `10/${B}`]);
  assert.equal(store.port('b2', 'b').name, 'b2');
  assert.equal(store.port('b2'), null);

  // Loading everything again (the stream reconnected) fetches the open host's too.
  const all = store.loadAll();
  for (const [method, body] of Object.entries({ ...EMPTY, fabric: clusterFabric('a', ['b']) })) fake.answer(method, body);
  fake.answer('hostPorts:b', { ports: [portView('b1')] });
  fake.answer('hostFdb:b', { entries: [] });
  await all;
  assert.deepEqual(store.state.remote.get('b').ports.map((p) => p.name), ['b1']);
});

test('the fabric is fetched again every few seconds while clustered, never for an agent alone', async () => {
  const alone = new FakeApi();
  const store = new Store(alone);
  const loading = store.load('fabric');
  alone.answer('fabric', standaloneFabric());
  await loading;
  store.startFabricRefresh(20);
  await sleep(300);
  assert.equal(alone.count('fabric'), 1, 'only the first load');
  store.stopFabricRefresh();

  const fake = new FakeApi();
  const clustered = new Store(fake);
  const first = clustered.load('fabric');
  fake.answer('fabric', clusterFabric('a', ['b']));
  await first;
  const states = [];
  clustered.on('fabric', (s) => states.push(s.fabric.hosts[1].state));
  clustered.startFabricRefresh(20);
  await sleep(250);
  clustered.stopFabricRefresh();
  assert.ok(fake.count('fabric') >= 2, `fetched again (${fake.count('fabric')})`);
  fake.answer('fabric', clusterFabric('a', [fabricHostView('b', { state: 'down' })]));
  await sleep(0);
  assert.deepEqual(states, ['down'], 'a host that left shows as soon as the fabric says so');
});

test('with a frame scheduler, a burst of events is heard once per topic at the next frame', () => {
  const frames = [];
  const store = new Store(new FakeApi(), (fn) => frames.push(fn));
  const heard = [];
  store.on('fdb', () => heard.push('fdb'));
  store.on('rates', () => heard.push('rates'));
  for (let i = 0; i < 500; i++) store.apply('fdb', fdbEvent('LEARNED', `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`, 10, 'p1'));
  store.apply('counters', { ports: [] });
  assert.deepEqual(heard, [], 'nothing before the frame');
  assert.equal(store.fdb.size, 0, 'nor applied');
  assert.equal(frames.length, 1, 'one frame asked for');
  frames.shift()(); // the events are applied
  assert.equal(store.fdb.size, 500);
  assert.equal(frames.length, 1, 'listeners hear of it at the next');
  frames.shift()();
  assert.deepEqual(heard, ['fdb', 'rates']);
  assert.equal(frames.length, 0);
});

test('with a frame scheduler, events wait for the frame, and are applied before a load is sent or taken', async () => {
  const frames = [];
  const fake = new FakeApi();
  const store = new Store(fake, (fn) => frames.push(fn));
  store.apply('fdb', fdbEvent('LEARNED', '02:00:00:00:00:01', 10, 'p1'));
  assert.equal(store.fdb.size, 0, 'not before the frame');
  assert.equal(frames.length, 1);
  const loading = store.load('switch');
  assert.equal(store.fdb.size, 1, 'applied before the load is sent');
  fake.answer('switchInfo', EMPTY.switchInfo);
  await loading;
  assert.equal(store.state.fdbSeq, 1);
  frames.shift()();
  assert.equal(store.state.fdbSeq, 1, 'and only once');
});
