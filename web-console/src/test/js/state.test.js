// The pure half of the store: what snapshots and events do to the console's state, and that they
// never change a state (or an object in it) that someone may still hold.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  FDB_JOURNAL_MAX, HISTORY_SECONDS, applyEvent, applyEvents, applySnapshot, carries, initialState, knownVlans, port, rate,
} from '../../main/resources/webroot/js/state.js';
import {
  MONO0, WALL0, copyOf, counters, entry, fdbEvent, fdbOf, portView, stateWith,
} from './fixtures.js';

const A = '02:00:00:00:00:0a';
const B = '02:00:00:00:00:0b';
const C = '02:00:00:00:00:0c';

/** Applies events in order, as the stream delivers them. */
function applyAll(state, events) {
  return events.reduce((s, [type, data]) => applyEvent(s, type, data, { mono: MONO0, wall: WALL0 }).state, state);
}

test('the initial state is empty and frozen', () => {
  const s = initialState();
  assert.deepEqual(s.ports, []);
  assert.equal(s.fdb.size, 0);
  assert.equal(s.switchInfo, null);
  assert.ok(Object.isFrozen(s));
  assert.ok(Object.isFrozen(s.ports));
  assert.equal(rate(s, 'p1').rxBps, 0);
});

test('a snapshot replaces its topic, tells its listeners and leaves the old state as it was', () => {
  const before = stateWith({ ports: [portView('p1')] });
  const kept = copyOf(before);
  const { state, changed, reload } = applySnapshot(before, 'ports', { ports: [portView('p1', { vlan: 20 }), portView('p2')] });
  assert.deepEqual(changed, ['ports']);
  assert.deepEqual(reload, []);
  assert.deepEqual(state.ports.map((p) => [p.name, p.vlan.tag]), [['p1', 20], ['p2', 10]]);
  assert.notEqual(state, before);
  assert.deepEqual(copyOf(before), kept);
  assert.equal(before.ports[0].vlan.tag, 10);
  // Parts the snapshot is not about are the very same objects.
  assert.equal(state.fdb, before.fdb);
  assert.equal(state.mirrors, before.mirrors);
});

test('what came from the API is frozen, so a slip that writes to it throws', () => {
  const s = stateWith({ ports: [portView('p1')], entries: [entry(A, 10, 'p1')] });
  assert.throws(() => { s.ports[0].enabled = false; }, TypeError);
  assert.throws(() => { s.ports[0].vlan.tag = 99; }, TypeError);
  assert.throws(() => { s.ports.push(portView('p2')); }, TypeError);
  assert.throws(() => { s.fdb.get(`10/${A}`).port = 'p2'; }, TypeError);
});

test('a snapshot of a topic the console does not know changes nothing', () => {
  const s = stateWith();
  const { state, changed } = applySnapshot(s, 'nonsense', { x: 1 });
  assert.equal(state, s);
  assert.deepEqual(changed, []);
});

test('FDB events are applied in order: learned, moved, expired', () => {
  const s0 = stateWith({ ports: [portView('p1'), portView('p2')] });
  const learned = applyEvent(s0, 'fdb', fdbEvent('LEARNED', A, 10, 'p1'));
  assert.deepEqual(learned.changed, ['fdb']);
  assert.deepEqual(learned.reload, []);
  assert.deepEqual(fdbOf(learned.state), [`10/${A}@p1`]);
  const moved = applyEvent(learned.state, 'fdb', fdbEvent('MOVED', A, 10, 'p2'));
  assert.deepEqual(fdbOf(moved.state), [`10/${A}@p2`]);
  const expired = applyEvent(moved.state, 'fdb', fdbEvent('EXPIRED', A, 10, 'p2'));
  assert.deepEqual(fdbOf(expired.state), []);
  assert.equal(expired.state.fdbSeq, 3);
  // Each earlier state still shows what it showed.
  assert.deepEqual(fdbOf(s0), []);
  assert.deepEqual(fdbOf(learned.state), [`10/${A}@p1`]);
  assert.deepEqual(fdbOf(moved.state), [`10/${A}@p2`]);
});

test('the same MAC in two VLANs is two entries; evicting or flushing one leaves the other', () => {
  const s = applyAll(stateWith(), [
    ['fdb', fdbEvent('LEARNED', A, 10, 'p1')],
    ['fdb', fdbEvent('LEARNED', A, 20, 'p1')],
    ['fdb', fdbEvent('LEARNED', B, 10, 'p2')],
    ['fdb', fdbEvent('EVICTED', A, 10, 'p1')],
    ['fdb', fdbEvent('FLUSHED', B, 10, 'p2')],
  ]);
  assert.deepEqual(fdbOf(s), [`20/${A}@p1`]);
});

test('an FDB event makes a new table: a panel holding the old table or an old entry sees no change', () => {
  const s0 = stateWith({ entries: [entry(A, 10, 'p1')] });
  const heldTable = s0.fdb;
  const heldEntry = s0.fdb.get(`10/${A}`);
  const kept = copyOf(s0);
  const s1 = applyAll(s0, [['fdb', fdbEvent('MOVED', A, 10, 'p2')], ['fdb', fdbEvent('LEARNED', B, 10, 'p1')]]);
  assert.notEqual(s1.fdb, heldTable);
  assert.equal(heldTable.size, 1);
  assert.equal(heldEntry.port, 'p1');
  assert.equal(heldEntry.ageSeconds, 7);
  assert.deepEqual(copyOf(s0), kept);
  assert.deepEqual(fdbOf(s1), [`10/${A}@p2`, `10/${B}@p1`]);
});

test('an FDB event of an unknown kind asks the API and changes no entry', () => {
  const s0 = stateWith({ entries: [entry(A, 10, 'p1')] });
  const { state, changed, reload } = applyEvent(s0, 'fdb', fdbEvent('REWRITTEN', A, 10, 'p9'));
  assert.deepEqual(changed, []);
  assert.deepEqual(reload, ['fdb']);
  assert.equal(state.fdb, s0.fdb);
  assert.equal(state.fdbSeq, s0.fdbSeq + 1);
});

test('a stale FDB answer does not undo the events that arrived while it was fetched', () => {
  const s0 = stateWith({ entries: [entry(A, 10, 'p1')] });
  const since = s0.fdbSeq; // the request goes out now
  // Meanwhile: B is learned, A expires, C is learned and moves.
  const s1 = applyAll(s0, [
    ['fdb', fdbEvent('LEARNED', B, 10, 'p2')],
    ['fdb', fdbEvent('EXPIRED', A, 10, 'p1')],
    ['fdb', fdbEvent('LEARNED', C, 20, 'p1')],
    ['fdb', fdbEvent('MOVED', C, 20, 'p3')],
  ]);
  // The answer was taken before any of that.
  const { state, changed, reload } = applySnapshot(s1, 'fdb', { entries: [entry(A, 10, 'p1')] }, since);
  assert.deepEqual(fdbOf(state), [`10/${B}@p2`, `20/${C}@p3`]);
  assert.deepEqual(changed, ['fdb']);
  assert.deepEqual(reload, [], 'every raced event was replayed, nothing to fetch again');
});

test('an FDB answer that already holds the raced events stays as it is', () => {
  const s0 = stateWith();
  const since = s0.fdbSeq;
  const s1 = applyAll(s0, [['fdb', fdbEvent('LEARNED', B, 10, 'p2')]]);
  const { state } = applySnapshot(s1, 'fdb', { entries: [entry(A, 10, 'p1'), entry(B, 10, 'p2')] }, since);
  assert.deepEqual(fdbOf(state), [`10/${A}@p1`, `10/${B}@p2`]);
});

test('an FDB answer newer than every event wins over them', () => {
  const s1 = applyAll(stateWith(), [['fdb', fdbEvent('LEARNED', A, 10, 'p1')], ['fdb', fdbEvent('LEARNED', B, 10, 'p1')]]);
  // Requested after both events: B has gone meanwhile (its event is still on the way), and the
  // answer also says how old A is and that it is static.
  const { state, reload } = applySnapshot(s1, 'fdb', { entries: [entry(A, 10, 'p1', { static: true, ageSeconds: 0 })] }, s1.fdbSeq);
  assert.deepEqual(fdbOf(state), [`10/${A}@p1`]);
  assert.equal(state.fdb.get(`10/${A}`).static, true);
  assert.deepEqual(reload, []);
});

test('when more events raced a fetch than the journal keeps, the answer is taken and fetched again', () => {
  const s0 = stateWith();
  const since = s0.fdbSeq;
  let s = s0;
  for (let i = 0; i <= FDB_JOURNAL_MAX; i++) {
    s = applyEvent(s, 'fdb', fdbEvent(i % 2 === 0 ? 'LEARNED' : 'EXPIRED', A, 10, 'p1')).state;
  }
  assert.equal(s.fdbJournal.length, FDB_JOURNAL_MAX, 'the journal is bounded');
  assert.equal(s.fdbSeq, FDB_JOURNAL_MAX + 1);
  const { state, reload } = applySnapshot(s, 'fdb', { entries: [entry(B, 10, 'p2')] }, since);
  assert.deepEqual(reload, ['fdb']);
  // What the journal still has is replayed all the same (the last event learned A).
  assert.deepEqual(fdbOf(state), [`10/${A}@p1`, `10/${B}@p2`]);
});

test('a port going down is shown at once on a new port object, and its surroundings are fetched again', () => {
  const s0 = stateWith({ ports: [portView('p1'), portView('p2')] });
  const heldP1 = s0.ports[0];
  const { state, changed, reload } = applyEvent(s0, 'port', { port: 'p1', event: 'down' });
  assert.deepEqual(changed, ['ports']);
  assert.deepEqual([...reload].sort(), ['fdb', 'ports', 'switch', 'vlans', 'vms']);
  assert.equal(port(state, 'p1').operUp, false);
  assert.equal(heldP1.operUp, true, 'the object a panel rendered is unchanged');
  assert.equal(s0.ports[0], heldP1);
  assert.notEqual(state.ports, s0.ports);
  assert.equal(state.ports[1], s0.ports[1], 'the other port is the same object');
  const up = applyEvent(state, 'port', { port: 'p1', event: 'up' });
  assert.equal(port(up.state, 'p1').operUp, true);
});

test('a port event about an unknown port, or not about up/down, only fetches again', () => {
  const s0 = stateWith({ ports: [portView('p1')] });
  for (const e of [{ port: 'gone', event: 'down' }, { port: 'p1', event: 'added' }]) {
    const { state, changed, reload } = applyEvent(s0, 'port', e);
    assert.equal(state, s0);
    assert.deepEqual(changed, []);
    assert.ok(reload.includes('ports'));
  }
});

test('a config event fetches what a change may touch and guesses nothing', () => {
  const s0 = stateWith({ ports: [portView('p1')] });
  const { state, changed, reload } = applyEvent(s0, 'config', { revision: 7, summary: 'vlan p1' });
  assert.equal(state, s0);
  assert.deepEqual(changed, []);
  assert.deepEqual([...reload].sort(), ['mirrors', 'ports', 'switch', 'vlans', 'vms']);
});

test('an event of a type the console does not know changes nothing', () => {
  const s0 = stateWith();
  const { state, changed, reload } = applyEvent(s0, 'weather', {});
  assert.equal(state, s0);
  assert.deepEqual(changed, []);
  assert.deepEqual(reload, []);
});

test('counters become rate samples: the first only sets a base, the next gives bits and packets per second', () => {
  const s0 = stateWith({ ports: [portView('p1')] });
  const first = applyEvent(s0, 'counters', { ports: [counters('p1', { rxBytes: 1000, rxPackets: 10 })] }, { mono: MONO0, wall: WALL0 });
  assert.deepEqual(first.changed, ['rates']);
  assert.equal(first.state.rates.get('p1'), undefined);
  const second = applyEvent(first.state, 'counters',
    { ports: [counters('p1', { rxBytes: 3000, rxPackets: 30, txBytes: 500, txPackets: 5, drops: 4 })] },
    { mono: MONO0 + 2, wall: WALL0 + 2000 });
  const r = rate(second.state, 'p1');
  assert.equal(r.rxBps, 8000); // 2000 bytes in 2 s
  assert.equal(r.rxPps, 10);
  assert.equal(r.txBps, 2000);
  assert.equal(r.txPps, 2.5);
  assert.equal(r.dropPps, 2);
  assert.equal(r.t, WALL0 + 2000);
  assert.equal(first.state.rates.get('p1'), undefined, 'the earlier state has no sample');
});

test('counters that went backwards (a port recreated) give zero rates, not negative ones', () => {
  let s = stateWith({ ports: [portView('p1')] });
  s = applyEvent(s, 'counters', { ports: [counters('p1', { rxBytes: 5000, txPackets: 50 })] }, { mono: MONO0, wall: WALL0 }).state;
  s = applyEvent(s, 'counters', { ports: [counters('p1', { rxBytes: 10, txPackets: 1 })] }, { mono: MONO0 + 1, wall: WALL0 + 1000 }).state;
  assert.equal(rate(s, 'p1').rxBps, 0);
  assert.equal(rate(s, 'p1').txPps, 0);
});

test('a port keeps five minutes of samples; the history a chart was drawn from never grows under it', () => {
  let s = stateWith({ ports: [portView('p1')] });
  let held = null;
  for (let i = 0; i <= HISTORY_SECONDS + 10; i++) {
    s = applyEvent(s, 'counters', { ports: [counters('p1', { rxBytes: i * 125 })] }, { mono: MONO0 + i, wall: WALL0 + i * 1000 }).state;
    if (i === 5) held = s.rates.get('p1');
  }
  const history = s.rates.get('p1');
  assert.equal(history.length, HISTORY_SECONDS);
  assert.equal(history[history.length - 1].t, WALL0 + (HISTORY_SECONDS + 10) * 1000, 'newest last');
  assert.equal(history[0].t, WALL0 + 11 * 1000, 'oldest dropped first');
  assert.equal(held.length, 5);
  assert.ok(Object.isFrozen(held));
});

test('known VLANs are the configured ones and those of learned entries, in order', () => {
  const s = stateWith({
    vlans: { vlans: [{ vlan: 20, untagged: ['p2'], tagged: [] }, { vlan: 10, untagged: ['p1'], tagged: ['p3'] }], allVlans: ['p4'] },
    entries: [entry(A, 30, 'p3'), entry(B, 10, 'p1'), entry(C, 0, 'p5')],
  });
  assert.deepEqual(knownVlans(s), [0, 10, 20, 30]);
  assert.equal(carries(s, 'p1', 10), true);
  assert.equal(carries(s, 'p3', 10), true, 'tagged members carry it too');
  assert.equal(carries(s, 'p1', 20), false);
  assert.equal(carries(s, 'p4', 999), true, 'a trunk of every VLAN carries any');
  assert.equal(carries(s, 'p2', 30), false, 'a VLAN only seen in the FDB has no members');
});

test('a burst of events applied together ends where applying them one by one does', () => {
  let s = applySnapshot(initialState(), 'ports', { ports: [portView('p1'), portView('p2')] }).state;
  s = applySnapshot(s, 'fdb', { entries: [entry('02:00:00:00:00:01', 10, 'p1')] }).state;
  const events = [];
  for (let i = 0; i < 1500; i++) {
    const mac = `02:00:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    events.push({ type: 'fdb', data: fdbEvent('LEARNED', mac, 10, i % 2 ? 'p1' : 'p2'), now: { mono: MONO0, wall: WALL0 } });
    if (i % 7 === 0) events.push({ type: 'fdb', data: fdbEvent('EXPIRED', mac, 10, 'p2'), now: { mono: MONO0, wall: WALL0 } });
    if (i === 700) events.push({ type: 'counters', data: { ports: [] }, now: { mono: MONO0 + 1, wall: WALL0 + 1000 } });
  }
  const together = applyEvents(s, events);
  let one = s;
  for (const e of events) one = applyEvent(one, e.type, e.data, e.now).state;
  assert.deepEqual([...together.state.fdb], [...one.fdb]);
  assert.equal(together.state.fdbSeq, one.fdbSeq);
  assert.deepEqual(together.state.fdbJournal, one.fdbJournal);
  assert.equal(together.state.fdbJournal.length, FDB_JOURNAL_MAX);
  assert.deepEqual(together.changed.sort(), ['fdb', 'rates']);
  assert.deepEqual(together.reload, []);
  // An event of a kind this console does not know asks for the table, as one by one.
  assert.deepEqual(applyEvents(s, [{ type: 'fdb', data: fdbEvent('TELEPORTED', '02:00:00:00:00:09', 10, 'p1'), now: {} }]).reload, ['fdb']);
});
