// What the console knows about the switch, as a value: the pure half of the store. Every function
// here takes a state and returns a new one, never changing the state it was given nor any object
// in it, so that a panel holding a port, a mirror or the FDB of an earlier state never sees it
// change under it, and "did this change?" is answered by identity. Objects that came from the API
// are frozen, so that a slip that writes to one fails loudly instead of drifting from the agent.
//
// Nothing here touches the DOM, the network or a clock: the store (store.js) fetches, times and
// notifies; this module decides. It is imported by the browser and by the Node tests alike.

/** Rate samples kept per port: one a second, five minutes. */
export const HISTORY_SECONDS = 300;

/**
 * FDB events remembered for replay over a table fetched while they arrived (see applySnapshot).
 * A fetch that raced more events than this falls back to fetching again.
 */
export const FDB_JOURNAL_MAX = 1024;

/** Topics a snapshot can refresh, each with the part of its API answer that the state keeps. */
const SNAPSHOT_FIELDS = {
  switch: ['switchInfo', (body) => body],
  ports: ['ports', (body) => body.ports],
  vlans: ['vlans', (body) => body],
  mirrors: ['mirrors', (body) => body.mirrors],
  vms: ['vms', (body) => body.vms],
};

const ZERO_RATE = Object.freeze({ rxBps: 0, txBps: 0, rxPps: 0, txPps: 0, dropPps: 0 });

export function fdbKey(vlan, mac) {
  return `${vlan}/${mac}`;
}

/** Freezes a value from the API and everything in it (plain objects and arrays only). */
export function deepFreeze(value) {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  Object.values(value).forEach(deepFreeze);
  return Object.freeze(value);
}

/**
 * The state before anything was loaded.
 *
 * fdb is a Map (vlan/mac → entry) that is replaced, never changed; fdbSeq counts the FDB events
 * applied so far and fdbJournal holds the latest of them ({seq, event}), for a fetch that raced
 * them. rates maps a port name to its samples, oldest first; lastCounters holds the counters each
 * sample was derived from.
 */
export function initialState() {
  return Object.freeze({
    switchInfo: null,
    ports: Object.freeze([]),
    fdb: new Map(),
    fdbSeq: 0,
    fdbJournal: Object.freeze([]),
    vlans: deepFreeze({ vlans: [], allVlans: [] }),
    mirrors: Object.freeze([]),
    vms: Object.freeze([]), // QEMU guests of the labs that are up: {lab, name, state, ports}
    rates: new Map(),
    lastCounters: new Map(),
  });
}

/**
 * The outcome of a change: the next state, the topics whose listeners should hear of it, and the
 * topics to fetch again from the API.
 */
function update(state, changed = [], reload = []) {
  return { state, changed, reload };
}

function next(state, fields) {
  return Object.freeze({ ...state, ...fields });
}

/**
 * Applies an API answer for one topic ('switch', 'ports', 'fdb', 'vlans', 'mirrors', 'vms').
 * Listeners always hear of a snapshot, as they did of every reload: it is when panels re-check.
 *
 * @param since for 'fdb', the state's fdbSeq when the request was sent. FDB events applied since
 *     then may be older or newer than the answer; they are applied again on top of it, in order,
 *     so that a stale answer never undoes a newer event (an event the answer already holds only
 *     sets an entry to what it is). When the journal no longer reaches back that far, the answer
 *     is taken and the table is fetched again.
 */
export function applySnapshot(state, topic, body, since = state.fdbSeq) {
  if (topic === 'fdb') return applyFdbSnapshot(state, body.entries, since);
  const field = SNAPSHOT_FIELDS[topic];
  if (!field) return update(state);
  const [key, pick] = field;
  return update(next(state, { [key]: deepFreeze(pick(body)) }), [topic]);
}

function applyFdbSnapshot(state, entries, since) {
  const fdb = new Map(entries.map((e) => [fdbKey(e.vlan, e.mac), deepFreeze(e)]));
  const raced = state.fdbJournal.filter((j) => j.seq > since);
  for (const j of raced) setFdbEntry(fdb, j.event);
  const missed = state.fdbSeq - since - raced.length;
  return update(next(state, { fdb }), ['fdb'], missed > 0 ? ['fdb'] : []);
}

/**
 * Applies a learned, moved or forgotten MAC to `fdb` (a fresh Map that no state holds yet).
 *
 * @return false for a kind of event this console does not know
 */
function setFdbEntry(fdb, e) {
  const key = fdbKey(e.vlan, e.mac);
  switch (e.event) {
    case 'LEARNED':
    case 'MOVED':
      fdb.set(key, Object.freeze({ mac: e.mac, vlan: e.vlan, port: e.port, ageSeconds: 0, static: false }));
      return true;
    case 'EXPIRED':
    case 'EVICTED':
    case 'FLUSHED':
      fdb.delete(key);
      return true;
    default:
      return false;
  }
}

/**
 * Applies one event of the agent's stream ('fdb', 'port', 'config', 'counters').
 *
 * @param now {mono, wall}: seconds on a monotonic clock, to compute rates from counters, and
 *     milliseconds since the epoch, to stamp the samples
 */
export function applyEvent(state, type, data, now) {
  switch (type) {
    case 'fdb':
      return applyFdbEvent(state, data);
    case 'port':
      return applyPortEvent(state, data);
    case 'config':
      // The API says what a change did; the console does not guess.
      return update(state, [], ['switch', 'ports', 'vlans', 'mirrors', 'vms']);
    case 'counters':
      return applyCounters(state, data, now);
    default:
      return update(state);
  }
}

function applyFdbEvent(state, e) {
  const seq = state.fdbSeq + 1;
  const journal = state.fdbJournal.length >= FDB_JOURNAL_MAX
    ? state.fdbJournal.slice(state.fdbJournal.length - FDB_JOURNAL_MAX + 1)
    : state.fdbJournal.slice();
  journal.push(Object.freeze({ seq, event: deepFreeze(e) }));
  const fields = { fdbSeq: seq, fdbJournal: Object.freeze(journal) };
  const fdb = new Map(state.fdb);
  if (!setFdbEntry(fdb, e)) {
    // A kind this console does not know: ask the API for the truth.
    return update(next(state, fields), [], ['fdb']);
  }
  return update(next(state, { ...fields, fdb }), ['fdb']);
}

/**
 * A port went up or down: shown at once, then the port, the VLANs it carries, the MACs it held
 * and the VMs behind it are fetched again, since any of them may have changed with it.
 */
function applyPortEvent(state, e) {
  const reload = ['ports', 'vlans', 'fdb', 'switch', 'vms'];
  const i = state.ports.findIndex((p) => p.name === e.port);
  if (i < 0 || (e.event !== 'up' && e.event !== 'down')) return update(state, [], reload);
  const ports = state.ports.slice();
  ports[i] = Object.freeze({ ...ports[i], operUp: e.event === 'up' });
  return update(next(state, { ports: Object.freeze(ports) }), ['ports'], reload);
}

/** Turns each port's counters into a rate sample (the first counters of a port only set a base). */
function applyCounters(state, data, now) {
  const rates = new Map(state.rates);
  const lastCounters = new Map(state.lastCounters);
  for (const c of data.ports || []) {
    const prev = state.lastCounters.get(c.name);
    lastCounters.set(c.name, Object.freeze({ ...c, t: now.mono }));
    if (!prev) continue;
    const dt = Math.max(now.mono - prev.t, 0.001);
    const sample = Object.freeze({
      t: now.wall,
      rxBps: Math.max(0, ((c.rxBytes - prev.rxBytes) * 8) / dt),
      txBps: Math.max(0, ((c.txBytes - prev.txBytes) * 8) / dt),
      rxPps: Math.max(0, (c.rxPackets - prev.rxPackets) / dt),
      txPps: Math.max(0, (c.txPackets - prev.txPackets) / dt),
      dropPps: Math.max(0, (c.drops - prev.drops) / dt),
    });
    const history = rates.get(c.name) || [];
    rates.set(c.name, Object.freeze([...history.slice(Math.max(0, history.length - HISTORY_SECONDS + 1)), sample]));
  }
  return update(next(state, { rates, lastCounters }), ['rates']);
}

// Questions the panels ask of a state.

export function port(state, name) {
  return state.ports.find((p) => p.name === name) || null;
}

/** The latest rate sample of a port, or zeros. */
export function rate(state, name) {
  const h = state.rates.get(name);
  return h && h.length ? h[h.length - 1] : ZERO_RATE;
}

/** VLAN IDs anything mentions: configured memberships and learned entries. */
export function knownVlans(state) {
  const ids = new Set(state.vlans.vlans.map((v) => v.vlan));
  for (const e of state.fdb.values()) ids.add(e.vlan);
  return [...ids].sort((a, b) => a - b);
}

/** Whether port `name` carries VLAN `vid` (configured membership, either tagged or not). */
export function carries(state, name, vid) {
  if (state.vlans.allVlans.includes(name)) return true;
  const v = state.vlans.vlans.find((x) => x.vlan === vid);
  return !!v && (v.untagged.includes(name) || v.tagged.includes(name));
}
