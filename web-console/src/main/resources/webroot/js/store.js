// What the console knows about the switch: REST snapshots, kept current by the event stream.
//
// Listeners subscribe to topics ('ports', 'fdb', 'vlans', 'mirrors', 'switch', 'vms', 'rates',
// 'fabric', 'hosts', 'autoAttach') and are called after the data changed; 'ports', 'fdb' and 'rates' are heard
// for a remote host's data too. The FDB is patched entry by entry from 'fdb' events; ports,
// VLANs and mirrors are reloaded from REST after 'config' and 'port' events (debounced), so that
// the console shows exactly what the API says rather than its own guess of a change's effect.
//
// This is the half with effects: fetching, the debounce timer, the clock and the listeners. What
// a snapshot or an event does to the state is decided by the pure functions of state.js; the
// store only swaps in the state they return, so each listener reads a new, unchanging state.

import { api } from './api.js';
import * as S from './state.js';

const RELOAD_DEBOUNCE_MS = 150;
/**
 * How often /fabric is fetched again while clustered: a host's state and its tunnel's health
 * change without an event of their own (a host that leaves sends nothing).
 */
export const FABRIC_REFRESH_MS = 3000;
/** Pauses before loading everything again after a failure, the last one repeated. */
const LOAD_RETRY_MS = [500, 1000, 2000, 5000];

function delay(ms) {
  return new Promise((resolve) => { setTimeout(resolve, ms); });
}

/** What each topic is loaded from. */
const LOADERS = {
  switch: (source) => source.switchInfo(),
  ports: (source) => source.ports(),
  fdb: (source) => source.fdb(),
  vlans: (source) => source.vlans(),
  mirrors: (source) => source.mirrors(),
  vms: (source) => source.vms(),
  fabric: (source) => source.fabric(),
  autoAttach: (source) => source.autoAttach(),
};

/** The loader of a topic: one of LOADERS, or a remote host's ports or MAC table. */
function loaderOf(topic) {
  const remote = S.parseHostTopic(topic);
  if (!remote) return LOADERS[topic];
  return remote.what === 'ports' ? (source) => source.hostPorts(remote.host) : (source) => source.hostFdb(remote.host);
}

export class Store {
  /** @param source the API to load from (api.js's, or a fake in tests) */
  /**
   * @param schedule how listeners are called: none, at once (as tests want); in the browser a
   *     function that runs a callback at the next animation frame, so that a burst of events
   *     (2 000 MACs learned, counters of 256 ports each second) redraws each panel once a frame,
   *     not once an event
   */
  constructor(source = api, schedule = null) {
    this.source = source;
    this.schedule = schedule;
    this.unheard = new Set();
    this.queued = [];
    this.state = S.initialState();
    this.listeners = new Map();
    this.pending = new Set();
    this.timer = null;
    this.loadGeneration = 0;
    this.fabricTimer = null;
    this.errorHandler = () => {};
  }

  // The current state's parts, as panels read them. Each is replaced, never changed, by an update.
  get switchInfo() { return this.state.switchInfo; }
  get ports() { return this.state.ports; }
  get fdb() { return this.state.fdb; }
  get vlans() { return this.state.vlans; }
  get mirrors() { return this.state.mirrors; }
  get vms() { return this.state.vms; }
  get rates() { return this.state.rates; }
  get fabric() { return this.state.fabric; }
  get autoAttach() { return this.state.autoAttach; }

  on(topic, listener) {
    if (!this.listeners.has(topic)) this.listeners.set(topic, new Set());
    this.listeners.get(topic).add(listener);
  }

  emit(topic) {
    if (!this.schedule) {
      this.tell(topic);
      return;
    }
    if (this.unheard.size === 0) {
      this.schedule(() => {
        const topics = [...this.unheard];
        this.unheard.clear();
        topics.forEach((t) => this.tell(t));
      });
    }
    this.unheard.add(topic);
  }

  tell(topic) {
    (this.listeners.get(topic) || []).forEach((l) => l(this));
  }

  onError(handler) {
    this.errorHandler = handler;
  }

  /** Takes the state an update computed, then tells listeners and schedules reloads. */
  commit({ state, changed, reload }) {
    this.state = state;
    changed.forEach((t) => this.emit(t));
    if (reload.length) this.reloadSoon(...reload);
  }

  /** Loads every topic, and the ports and tables of the remote hosts a user opened. */
  async loadAll() {
    const remote = S.openHosts(this.state).flatMap((h) => [S.hostTopic(h, 'ports'), S.hostTopic(h, 'fdb')]);
    await Promise.all([...Object.keys(LOADERS), ...remote].map((t) => this.load(t)));
  }

  /**
   * Loads everything, and again after a failure, until it succeeds or a newer call takes over.
   * A failure may well pass: Chromium aborts the requests in flight when the host's network
   * interfaces change (ERR_NETWORK_CHANGED), as they do while a switch creates its TAP devices,
   * and an agent may be restarting. Each failure goes to the error handler.
   *
   * @return true once everything was loaded; false when a newer call took over
   */
  async loadAllUntilDone() {
    const generation = ++this.loadGeneration;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.loadAll();
        return true;
      } catch (e) {
        this.errorHandler(e);
      }
      await delay(LOAD_RETRY_MS[Math.min(attempt, LOAD_RETRY_MS.length - 1)]);
      if (generation !== this.loadGeneration) return false;
    }
  }

  async load(topic) {
    const loader = loaderOf(topic);
    if (!loader) return;
    // FDB events that arrive while a table is being fetched are replayed over the answer; those
    // waiting for a frame are applied first, so that the journal holds every one of them.
    this.applyQueued();
    const since = S.fdbSeqFor(this.state, topic);
    const body = await loader(this.source);
    this.applyQueued();
    this.commit(S.applySnapshot(this.state, topic, body, since));
  }

  /** A user opened remote host `host`: its ports and MAC table are fetched, then kept current. */
  openHost(host) {
    this.commit(S.openHost(this.state, host));
  }

  /** Fetches /fabric every `ms` while the agent is clustered; alone, it never asks. */
  startFabricRefresh(ms = FABRIC_REFRESH_MS) {
    if (this.fabricTimer) return;
    this.fabricTimer = setInterval(() => {
      if (S.clustered(this.state)) this.reloadSoon('fabric');
    }, ms);
  }

  stopFabricRefresh() {
    clearInterval(this.fabricTimer);
    this.fabricTimer = null;
  }

  /** Reloads topics soon, once, however many events asked for them meanwhile. */
  reloadSoon(...topics) {
    topics.forEach((t) => this.pending.add(t));
    if (this.timer) return;
    this.timer = setTimeout(async () => {
      this.timer = null;
      const topicsNow = [...this.pending];
      this.pending.clear();
      try {
        await Promise.all(topicsNow.map((t) => this.load(t)));
      } catch (e) {
        this.errorHandler(e);
      }
    }, RELOAD_DEBOUNCE_MS);
  }

  /**
   * Handles one event of the stream: at once without a scheduler; with one, the events of a frame
   * are applied together (S.applyEvents) when it comes, or before anything is loaded.
   */
  apply(type, data) {
    const now = { mono: performance.now() / 1000, wall: Date.now() };
    if (!this.schedule) {
      this.commit(S.applyEvent(this.state, type, data, now));
      return;
    }
    if (this.queued.length === 0) this.schedule(() => this.applyQueued());
    this.queued.push({ type, data, now });
  }

  /** Applies the events waiting for the frame, in order. */
  applyQueued() {
    if (this.queued.length === 0) return;
    const events = this.queued;
    this.queued = [];
    this.commit(S.applyEvents(this.state, events));
  }

  port(name, host = null) {
    return S.port(this.state, name, host);
  }

  rate(name, host = null) {
    return S.rate(this.state, name, host);
  }

  knownVlans() {
    return S.knownVlans(this.state);
  }

  carries(name, vid) {
    return S.carries(this.state, name, vid);
  }
}
