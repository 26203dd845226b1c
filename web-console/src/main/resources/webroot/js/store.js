// What the console knows about the switch: REST snapshots, kept current by the event stream.
//
// Listeners subscribe to topics ('ports', 'fdb', 'vlans', 'mirrors', 'switch', 'rates') and are
// called after the data changed. The FDB is patched entry by entry from 'fdb' events; ports,
// VLANs and mirrors are reloaded from REST after 'config' and 'port' events (debounced), so that
// the console shows exactly what the API says rather than its own guess of a change's effect.

import { api } from './api.js';

/** Rate samples kept per port: one a second, five minutes. */
export const HISTORY_SECONDS = 300;
const RELOAD_DEBOUNCE_MS = 150;

function fdbKey(vlan, mac) {
  return `${vlan}/${mac}`;
}

export class Store {
  constructor() {
    this.switchInfo = null;
    this.ports = [];
    this.fdb = new Map();
    this.fdbEvents = 0; // fdb events applied so far, to notice those that race a reload
    this.vlans = { vlans: [], allVlans: [] };
    this.mirrors = [];
    this.vms = []; // QEMU guests of the labs that are up: {lab, name, state, ports}
    this.rates = new Map(); // port name -> [{t, rxBps, txBps, rxPps, txPps, dropPps}]
    this.lastCounters = new Map(); // port name -> {t, rxBytes, ...}
    this.listeners = new Map();
    this.pending = new Set();
    this.timer = null;
    this.errorHandler = () => {};
  }

  on(topic, listener) {
    if (!this.listeners.has(topic)) this.listeners.set(topic, new Set());
    this.listeners.get(topic).add(listener);
  }

  emit(topic) {
    (this.listeners.get(topic) || []).forEach((l) => l(this));
  }

  onError(handler) {
    this.errorHandler = handler;
  }

  port(name) {
    return this.ports.find((p) => p.name === name) || null;
  }

  async loadAll() {
    await Promise.all(['switch', 'ports', 'fdb', 'vlans', 'mirrors', 'vms'].map((t) => this.load(t)));
  }

  async load(topic) {
    switch (topic) {
      case 'switch':
        this.switchInfo = await api.switchInfo();
        break;
      case 'ports':
        this.ports = (await api.ports()).ports;
        break;
      case 'fdb': {
        // An event that arrives while the table is being fetched may be older or newer than the
        // answer; if any did, fetch again, so that a stale answer never has the last word.
        const seen = this.fdbEvents;
        const entries = (await api.fdb()).entries;
        this.fdb = new Map(entries.map((e) => [fdbKey(e.vlan, e.mac), e]));
        if (this.fdbEvents !== seen) this.reloadSoon('fdb');
        break;
      }
      case 'vlans':
        this.vlans = await api.vlans();
        break;
      case 'mirrors':
        this.mirrors = (await api.mirrors()).mirrors;
        break;
      case 'vms':
        this.vms = (await api.vms()).vms;
        break;
      default:
        return;
    }
    this.emit(topic);
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

  /** Handles one event of the stream. */
  apply(type, data) {
    switch (type) {
      case 'fdb':
        this.applyFdb(data);
        break;
      case 'port':
        this.applyPort(data);
        break;
      case 'config':
        this.reloadSoon('switch', 'ports', 'vlans', 'mirrors', 'vms');
        break;
      case 'counters':
        this.applyCounters(data);
        break;
      default:
        break;
    }
  }

  applyFdb(e) {
    this.fdbEvents += 1;
    const key = fdbKey(e.vlan, e.mac);
    switch (e.event) {
      case 'LEARNED':
      case 'MOVED':
        this.fdb.set(key, { mac: e.mac, vlan: e.vlan, port: e.port, ageSeconds: 0, static: false });
        break;
      case 'EXPIRED':
      case 'EVICTED':
      case 'FLUSHED':
        this.fdb.delete(key);
        break;
      default:
        // A kind this console does not know: ask the API for the truth.
        this.reloadSoon('fdb');
        return;
    }
    this.emit('fdb');
  }

  applyPort(e) {
    const p = this.port(e.port);
    if (p && (e.event === 'up' || e.event === 'down')) {
      p.operUp = e.event === 'up';
      this.emit('ports');
    }
    this.reloadSoon('ports', 'vlans', 'fdb', 'switch', 'vms');
  }

  applyCounters(data) {
    const now = performance.now() / 1000;
    for (const c of data.ports || []) {
      const prev = this.lastCounters.get(c.name);
      this.lastCounters.set(c.name, { ...c, t: now });
      if (!prev) continue;
      const dt = Math.max(now - prev.t, 0.001);
      const sample = {
        t: Date.now(),
        rxBps: Math.max(0, ((c.rxBytes - prev.rxBytes) * 8) / dt),
        txBps: Math.max(0, ((c.txBytes - prev.txBytes) * 8) / dt),
        rxPps: Math.max(0, (c.rxPackets - prev.rxPackets) / dt),
        txPps: Math.max(0, (c.txPackets - prev.txPackets) / dt),
        dropPps: Math.max(0, (c.drops - prev.drops) / dt),
      };
      let history = this.rates.get(c.name);
      if (!history) {
        history = [];
        this.rates.set(c.name, history);
      }
      history.push(sample);
      if (history.length > HISTORY_SECONDS) history.splice(0, history.length - HISTORY_SECONDS);
    }
    this.emit('rates');
  }

  /** The latest rate sample of a port, or zeros. */
  rate(name) {
    const h = this.rates.get(name);
    return h && h.length ? h[h.length - 1] : { rxBps: 0, txBps: 0, rxPps: 0, txPps: 0, dropPps: 0 };
  }

  /** VLAN IDs anything mentions: configured memberships and learned entries. */
  knownVlans() {
    const ids = new Set(this.vlans.vlans.map((v) => v.vlan));
    for (const e of this.fdb.values()) ids.add(e.vlan);
    return [...ids].sort((a, b) => a - b);
  }

  /** Whether port `name` carries VLAN `vid` (configured membership, either tagged or not). */
  carries(name, vid) {
    if (this.vlans.allVlans.includes(name)) return true;
    const v = this.vlans.vlans.find((x) => x.vlan === vid);
    return !!v && (v.untagged.includes(name) || v.tagged.includes(name));
  }

  /** Mirrors whose output is port `name`. */
  mirrorsInto(name) {
    return this.mirrors.filter((m) => m.config.outputPort === name);
  }
}
