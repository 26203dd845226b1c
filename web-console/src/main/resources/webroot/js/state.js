// What the console knows about the switch, as a value: the pure half of the store. Every function
// here takes a state and returns a new one, never changing the state it was given nor any object
// in it, so that a panel holding a port, a mirror or the FDB of an earlier state never sees it
// change under it, and "did this change?" is answered by identity. Objects that came from the API
// are frozen, so that a slip that writes to one fails loudly instead of drifting from the agent.
//
// Nothing here touches the DOM, the network or a clock: the store (store.js) fetches, times and
// notifies; this module decides. It is imported by the browser and by the Node tests alike.
//
// In a multi-host fabric the agent's one event stream carries every host's events, each tagged
// with its host. This host's switch keeps the fields it has always had (ports, fdb, rates...), so
// that an agent running alone, whose events carry no host, is handled exactly as before; every
// other host gets a HostData in `remote`, filled from /hosts/{host}/... once a user opens it and
// kept current by its tagged events. Which host is "this one" only /fabric says: tagged events
// that arrive before it answered are held, then applied in order.

import { applyCheck } from './checks.js';

/** Rate samples kept per port: one a second, five minutes. */
export const HISTORY_SECONDS = 300;

/**
 * FDB events remembered for replay over a table fetched while they arrived (see applySnapshot).
 * A fetch that raced more events than this falls back to fetching again.
 */
export const FDB_JOURNAL_MAX = 1024;

/**
 * Tagged events held while the fabric is not known yet. More than this, and the oldest are dropped
 * and what they may have changed is fetched again once the fabric is known.
 */
export const HELD_MAX = 4096;

/** The prefix of the fabric's tunnel ports, before the peer's host id (Fabric.PORT_PREFIX). */
export const VTEP_PREFIX = 'vtep-';

/** Topics a snapshot can refresh, each with the part of its API answer that the state keeps. */
const SNAPSHOT_FIELDS = {
  switch: ['switchInfo', (body) => body],
  ports: ['ports', (body) => body.ports],
  vlans: ['vlans', (body) => body],
  mirrors: ['mirrors', (body) => body.mirrors],
  vms: ['vms', (body) => body.vms],
  fabric: ['fabric', (body) => body],
  autoAttach: ['autoAttach', (body) => body.rules],
};

const ZERO_RATE = Object.freeze({ rxBps: 0, txBps: 0, rxPps: 0, txPps: 0, dropPps: 0 });

export function fdbKey(vlan, mac) {
  return `${vlan}/${mac}`;
}

/** The topic of a remote host's ports or MAC table ('ports', 'fdb'), as the store loads it. */
export function hostTopic(host, what) {
  return `hosts/${host}/${what}`;
}

/** {host, what} for a topic made by hostTopic, else null. Host ids hold no '/'. */
export function parseHostTopic(topic) {
  const m = /^hosts\/([^/]+)\/(ports|fdb)$/.exec(topic);
  return m ? { host: m[1], what: m[2] } : null;
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
 *
 * fabric is the last /fabric answer (null until one came); remote maps every other host that was
 * heard of to its HostData (see emptyHost); held lists the tagged events waiting for the fabric.
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
    checks: Object.freeze(new Map()), // last lab-check verdict per VM, 'lab/vm' -> 'PASS' | 'FAIL' (checks.js)
    rates: new Map(),
    lastCounters: new Map(),
    fabric: null,
    autoAttach: Object.freeze([]), // the agent's auto-attach rules, in the order it tries them
    remote: new Map(),
    held: Object.freeze([]),
    heldDropped: false,
  });
}

/**
 * What the console knows of another host of the fabric. Rates are kept for every host from its
 * counters events (tunnels between two other hosts carry them); ports and the MAC table only once
 * a user opened the host (`open`), since only then does anything show them: ports is null until
 * its first answer, fdbLoaded false until the table's, so that a table pieced together from events
 * alone is never shown as the host's.
 */
export function emptyHost() {
  return Object.freeze({
    open: false,
    ports: null,
    fdb: new Map(),
    fdbSeq: 0,
    fdbJournal: Object.freeze([]),
    fdbLoaded: false,
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
 * Applies an API answer for one topic ('switch', 'ports', 'fdb', 'vlans', 'mirrors', 'vms',
 * 'fabric', or a remote host's 'hosts/HOST/ports' and 'hosts/HOST/fdb'). Listeners always hear of
 * a snapshot, as they did of every reload: it is when panels re-check.
 *
 * @param since for a MAC table, its fdbSeq when the request was sent (fdbSeqFor). FDB events applied since
 *     then may be older or newer than the answer; they are applied again on top of it, in order,
 *     so that a stale answer never undoes a newer event (an event the answer already holds only
 *     sets an entry to what it is). When the journal no longer reaches back that far, the answer
 *     is taken and the table is fetched again.
 */
export function applySnapshot(state, topic, body, since = fdbSeqFor(state, topic)) {
  if (topic === 'fdb') return applyFdbSnapshot(state, body.entries, since);
  if (topic === 'fabric') return applyFabricSnapshot(state, body);
  const remote = parseHostTopic(topic);
  if (remote) return applyRemoteSnapshot(state, remote, body, since);
  const field = SNAPSHOT_FIELDS[topic];
  if (!field) return update(state);
  const [key, pick] = field;
  return update(next(state, { [key]: deepFreeze(pick(body)) }), [topic]);
}

/** The FDB sequence number a fetch of `topic` must be sent with (see applySnapshot). */
export function fdbSeqFor(state, topic) {
  const remote = parseHostTopic(topic);
  if (!remote) return state.fdbSeq;
  const h = state.remote.get(remote.host);
  return h ? h.fdbSeq : 0;
}

function applyFdbSnapshot(state, entries, since) {
  const { fdb, missed } = fdbFromSnapshot(state, entries, since);
  return update(next(state, { fdb }), ['fdb'], missed ? ['fdb'] : []);
}

/**
 * A table from an answer requested at `since`, with the events of `table` ({fdb, fdbSeq,
 * fdbJournal}) applied since then replayed over it. The same guard serves this host's table and
 * every remote one.
 *
 * @return {fdb, missed}: missed when the journal no longer reaches back to `since`
 */
function fdbFromSnapshot(table, entries, since) {
  const fdb = new Map(entries.map((e) => [fdbKey(e.vlan, e.mac), deepFreeze(e)]));
  const raced = table.fdbJournal.filter((j) => j.seq > since);
  for (const j of raced) setFdbEntry(fdb, j.event);
  return { fdb, missed: table.fdbSeq - since - raced.length > 0 };
}

/**
 * The fabric's hosts. Tagged events held until now are applied, in order, on top: only now can
 * they be told apart into this host's and the others'.
 */
function applyFabricSnapshot(state, body) {
  let s = next(state, { fabric: deepFreeze(body), held: Object.freeze([]), heldDropped: false });
  const changed = new Set(['fabric']);
  // Events were lost: fetch again what they may have changed here (remote hosts open later).
  const reload = new Set(state.heldDropped ? ['ports', 'fdb'] : []);
  for (const h of state.held) {
    const u = applyEvent(s, h.type, h.data, h.now);
    s = u.state;
    u.changed.forEach((t) => changed.add(t));
    u.reload.forEach((t) => reload.add(t));
  }
  return update(s, [...changed], [...reload]);
}

/** The HostData of `host`, or an empty one. */
function hostData(state, host) {
  return state.remote.get(host) || emptyHost();
}

function withHost(state, host, data, fields = {}) {
  const remote = new Map(state.remote);
  remote.set(host, Object.freeze({ ...data }));
  return next(state, { ...fields, remote });
}

function applyRemoteSnapshot(state, { host, what }, body, since) {
  const h = hostData(state, host);
  if (what === 'ports') {
    return update(withHost(state, host, { ...h, ports: deepFreeze(body.ports) }), ['ports']);
  }
  const { fdb, missed } = fdbFromSnapshot(h, body.entries, since);
  return update(withHost(state, host, { ...h, fdb, fdbLoaded: true }), ['fdb'], missed ? [hostTopic(host, 'fdb')] : []);
}

/**
 * A user opened a remote host: from now on its ports and MAC table are fetched and kept current.
 * Opening an open host fetches them again.
 */
export function openHost(state, host) {
  if (isLocal(state, host)) return update(state);
  const h = hostData(state, host);
  const reload = [hostTopic(host, 'ports'), hostTopic(host, 'fdb')];
  if (h.open) return update(state, [], reload);
  return update(withHost(state, host, { ...h, open: true }), ['hosts'], reload);
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
 * Applies one event of the agent's stream ('fdb', 'port', 'config', 'counters', 'lab-check').
 *
 * @param now {mono, wall}: seconds on a monotonic clock, to compute rates from counters, and
 *     milliseconds since the epoch, to stamp the samples
 */
export function applyEvent(state, type, data, now) {
  if (!KNOWN_EVENTS.includes(type)) return update(state);
  if (type === 'lab-check') return update(next(state, { checks: applyCheck(state.checks, data) }), ['vms']);
  const host = eventHost(state, data);
  if (host === undefined) return holdEvent(state, type, data, now);
  if (host !== null) return applyRemoteEvent(state, host, type, data, now);
  // Host state changes with ports and configuration (the VLANs a host serves, its tunnel ports).
  const fabric = clustered(state) ? ['fabric'] : [];
  switch (type) {
    case 'fdb':
      return applyFdbEvent(state, data);
    case 'port': {
      const u = applyPortEvent(state, data);
      return update(u.state, u.changed, [...u.reload, ...fabric]);
    }
    case 'config':
      // The API says what a change did; the console does not guess.
      return update(state, [], ['switch', 'ports', 'vlans', 'mirrors', 'vms', ...fabric]);
    default:
      return applyCounters(state, data, now);
  }
}

const KNOWN_EVENTS = ['fdb', 'port', 'config', 'counters', 'lab-check'];

/**
 * Applies events in order, as applyEvent would one by one, but a run of this host's FDB events
 * copies the table once rather than once an event: 2 000 MACs learned (or flushed) in a burst
 * would otherwise copy a 2 000-entry table 2 000 times.
 *
 * @param events [{type, data, now}] in the order they arrived
 */
export function applyEvents(state, events) {
  let s = state;
  const changed = new Set();
  const reload = new Set();
  const take = (u) => {
    s = u.state;
    u.changed.forEach((t) => changed.add(t));
    u.reload.forEach((t) => reload.add(t));
  };
  for (let i = 0; i < events.length;) {
    const ours = (e) => e.type === 'fdb' && eventHost(s, e.data) === null;
    if (!ours(events[i])) {
      const { type, data, now } = events[i];
      take(applyEvent(s, type, data, now));
      i += 1;
      continue;
    }
    let j = i;
    while (j < events.length && ours(events[j])) j += 1;
    take(applyFdbEvents(s, events.slice(i, j).map((e) => e.data)));
    i = j;
  }
  return update(s, [...changed], [...reload]);
}

/** A run of this host's FDB events on one copy of the table, journaled as one by one. */
function applyFdbEvents(state, list) {
  const fdb = new Map(state.fdb);
  const journal = state.fdbJournal.slice();
  let seq = state.fdbSeq;
  let unknown = false;
  for (const e of list) {
    seq += 1;
    journal.push(Object.freeze({ seq, event: deepFreeze(e) }));
    if (!setFdbEntry(fdb, e)) unknown = true;
  }
  const kept = Object.freeze(journal.slice(Math.max(0, journal.length - FDB_JOURNAL_MAX)));
  return update(next(state, { fdb, fdbSeq: seq, fdbJournal: kept }), ['fdb'], unknown ? ['fdb'] : []);
}

/**
 * Whose event this is: null for this host (an agent alone tags nothing; in a cluster, this host's
 * own id), a host id for another host, undefined while the fabric has not said which host is this.
 */
function eventHost(state, data) {
  const host = data && data.host;
  if (host === undefined || host === null) return null;
  if (!state.fabric) return undefined;
  return host === state.fabric.host ? null : host;
}

function holdEvent(state, type, data, now) {
  const dropped = state.held.length >= HELD_MAX;
  const held = state.held.slice(dropped ? state.held.length - HELD_MAX + 1 : 0);
  held.push(Object.freeze({ type, data: deepFreeze(data), now }));
  return update(next(state, { held: Object.freeze(held), heldDropped: state.heldDropped || dropped }), [], ['fabric']);
}

/** Another host's event: rates always, its table and ports once a user opened it. */
function applyRemoteEvent(state, host, type, data, now) {
  const h = hostData(state, host);
  if (type === 'counters') {
    const { rates, lastCounters } = ratesFrom(h, data, now);
    return update(withHost(state, host, { ...h, rates, lastCounters }), ['rates']);
  }
  if (type === 'fdb') {
    if (!h.open) return update(state);
    const { table, known } = journalFdbEvent(h, data);
    const s = withHost(state, host, { ...h, ...table });
    if (!known) return update(s, [], [hostTopic(host, 'fdb')]);
    return update(s, h.fdbLoaded ? ['fdb'] : []);
  }
  // 'port' and 'config': the host's summary and state are the fabric's, its ports its own; as
  // for this host, a port's state shows at once and the rest is fetched again.
  const own = h.open ? [hostTopic(host, 'ports'), ...(type === 'port' ? [hostTopic(host, 'fdb')] : [])] : [];
  const reload = ['fabric', ...own];
  if (type === 'config') return update(state, [], reload);
  const i = h.ports ? h.ports.findIndex((p) => p.name === data.port) : -1;
  if (i < 0 || (data.event !== 'up' && data.event !== 'down')) return update(state, [], reload);
  const ports = h.ports.slice();
  ports[i] = Object.freeze({ ...ports[i], operUp: data.event === 'up' });
  return update(withHost(state, host, { ...h, ports: Object.freeze(ports) }), ['ports'], reload);
}

function applyFdbEvent(state, e) {
  const { table, known } = journalFdbEvent(state, e);
  // A kind this console does not know: ask the API for the truth.
  if (!known) return update(next(state, table), [], ['fdb']);
  return update(next(state, table), ['fdb']);
}

/**
 * An FDB event applied to a table ({fdb, fdbSeq, fdbJournal}) and journaled for the fetch it may
 * race.
 *
 * @return {table, known}: the new table's fields; known false for a kind of event this console
 *     does not know (the entries are then left as they were)
 */
function journalFdbEvent(table, e) {
  const seq = table.fdbSeq + 1;
  const journal = table.fdbJournal.length >= FDB_JOURNAL_MAX
    ? table.fdbJournal.slice(table.fdbJournal.length - FDB_JOURNAL_MAX + 1)
    : table.fdbJournal.slice();
  journal.push(Object.freeze({ seq, event: deepFreeze(e) }));
  const fields = { fdbSeq: seq, fdbJournal: Object.freeze(journal) };
  const fdb = new Map(table.fdb);
  if (!setFdbEntry(fdb, e)) return { table: { ...fields, fdb: table.fdb }, known: false };
  return { table: { ...fields, fdb }, known: true };
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

function applyCounters(state, data, now) {
  return update(next(state, ratesFrom(state, data, now)), ['rates']);
}

/**
 * Turns each port's counters into a rate sample (the first counters of a port only set a base).
 *
 * @param state anything with rates and lastCounters: this host's state or a HostData
 * @return the new {rates, lastCounters}
 */
function ratesFrom(state, data, now) {
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
  return { rates, lastCounters };
}

// Questions the panels ask of a state.

/** Whether this agent is part of a cluster (false until /fabric answered, and for an agent alone). */
export function clustered(state) {
  return !!(state.fabric && state.fabric.clustered);
}

/** This host's id in the fabric, or null. */
export function localHost(state) {
  return state.fabric ? state.fabric.host : null;
}

/** Whether `host` names this host: null, undefined and this host's own id do. */
export function isLocal(state, host) {
  return host === null || host === undefined || host === localHost(state);
}

/** The fabric's hosts, this one first (as /fabric lists them), or [] before it answered. */
export function fabricHosts(state) {
  return state.fabric ? state.fabric.hosts : [];
}

/** One host as /fabric describes it, or null. */
export function fabricHost(state, host) {
  return fabricHosts(state).find((h) => h.host === host) || null;
}

/** The remote hosts a user opened, whose ports and MAC table are kept. */
export function openHosts(state) {
  return [...state.remote].filter(([, h]) => h.open).map(([host]) => host);
}

/** A host's ports: this host's, or a remote host's once loaded ([] before). */
export function hostPorts(state, host = null) {
  if (isLocal(state, host)) return state.ports;
  const h = state.remote.get(host);
  return (h && h.ports) || [];
}

/** A host's MAC table (vlan/mac → entry): this host's, or a remote host's once loaded (empty before). */
export function hostFdb(state, host = null) {
  if (isLocal(state, host)) return state.fdb;
  const h = state.remote.get(host);
  return h && h.fdbLoaded ? h.fdb : EMPTY_FDB;
}

/** Whether a remote host's ports (what) or table were loaded; this host's always count as loaded. */
export function hostLoaded(state, host, what = 'ports') {
  if (isLocal(state, host)) return true;
  const h = state.remote.get(host);
  return !!h && (what === 'fdb' ? h.fdbLoaded : h.ports !== null);
}

const EMPTY_FDB = new Map();

/** A host's rate history by port name. */
export function hostRates(state, host = null) {
  if (isLocal(state, host)) return state.rates;
  const h = state.remote.get(host);
  return h ? h.rates : EMPTY_RATES;
}

const EMPTY_RATES = new Map();

export function port(state, name, host = null) {
  return hostPorts(state, host).find((p) => p.name === name) || null;
}

/** The latest rate sample of a port (of this host, or of `host`), or zeros. */
export function rate(state, name, host = null) {
  const h = hostRates(state, host).get(name);
  return h && h.length ? h[h.length - 1] : ZERO_RATE;
}

/**
 * The fabric host a tunnel port leads to, or null for any other port (a static VTEP is not a host
 * of the fabric). `/fabric` names this host's tunnel port to each peer (a long host id makes a
 * shortened port name); a port it does not name is read as vtep-HOST.
 */
export function tunnelPeer(state, p) {
  if (!p || p.kind !== 'vtep') return null;
  const named = fabricHosts(state).find((h) => !h.self && h.port === p.name);
  if (named) return named.host;
  if (!p.name.startsWith(VTEP_PREFIX)) return null;
  const peer = p.name.slice(VTEP_PREFIX.length);
  return fabricHost(state, peer) ? peer : null;
}

/**
 * The fabric host an FDB entry of `host`'s table sits behind, or null when it sits on one of that
 * host's own ports. The API names it in entries learned through a tunnel; entries that came from
 * events do not carry it, so it is also read from the tunnel port's name.
 */
export function entryHost(state, e, host = null) {
  if (e.host && fabricHost(state, e.host)) return e.host;
  return tunnelPeer(state, port(state, e.port, host));
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
