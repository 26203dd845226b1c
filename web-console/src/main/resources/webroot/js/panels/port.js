// The port panel: with no port selected, every port in a table; with one selected, its
// configuration, live rates and chart, counters, decisions and drops by reason, VLAN editor,
// link impairment, admin state, mirrors and capture.
//
// In a fabric it shows any host's ports: another host's come from /hosts/{host}/ports, with the
// same rates, chart and counters, and without the controls, since this agent's API changes this
// host alone.

import { api, ApiError } from '../api.js';
import { autoAttached, portsPerRule, ruleFor, ruleVlanText } from '../auto-attach.js';
import { rateChart } from '../chart.js';
import { vlanColor } from '../colors.js';
import { h, replace, showErrors, clearErrors } from '../dom.js';
import * as fmt from '../format.js';
import * as S from '../state.js';
import { vlanEditor } from '../vlan-editor.js';
import { impairEditor } from '../impair-editor.js';
import { impairText } from '../impair.js';
import { CaptureButton } from './capture.js';
import { hostPicker, remoteNote } from './hosts.js';

const DETAIL_REFRESH_MS = 2000;

function vlanText(vlan) {
  if (!vlan) return 'trunk (all)';
  const parts = [vlan.mode];
  if (vlan.tag) parts.push(String(vlan.tag));
  if (vlan.mode !== 'access' && vlan.mode !== 'dot1q-tunnel') parts.push(vlan.trunks ? `[${vlan.trunks}]` : '[all]');
  return parts.join(' ');
}

/**
 * The mark of a port an auto-attach rule made, naming the rule (see auto-attach.js): it goes
 * when its interface goes, and is never written to the config file. `rules` are the host's own
 * (another host's rules are not loaded: its ports are marked without naming one).
 */
function autoBadge(rules, p) {
  if (!autoAttached(p)) return null;
  const rule = ruleFor(rules, p.name);
  return h('span', {
    class: 'badge auto', 'data-testid': 'auto-attached',
    title: rule ? `made by the auto-attach rule ${rule.match}; goes when its interface goes` : 'made by an auto-attach rule',
  }, 'auto');
}

/** Who made a port, when not the config file: the auto-attach rule, or the owner the API names. */
function ownerFacts(store, p) {
  if (autoAttached(p)) {
    const rule = ruleFor(store.autoAttach, p.name);
    return [h('dt', {}, 'attached by'), h('dd', { 'data-testid': 'port-rule' },
      rule ? ['auto-attach rule ', h('code', {}, rule.match), ` (${ruleVlanText(rule)})`] : 'an auto-attach rule',
      h('span', { class: 'muted' }, ' · goes with its interface'))];
  }
  return p.owner ? [h('dt', {}, 'owner'), h('dd', {}, p.owner)] : [];
}

function stateBadge(p) {
  if (!p.enabled) return h('span', { class: 'badge down' }, 'disabled');
  return p.operUp ? h('span', { class: 'badge up' }, 'up') : h('span', { class: 'badge down' }, 'down');
}

/**
 * The agent's auto-attach rules (GET /auto-attach), under its ports: which interfaces become ports
 * when they appear, with which VLAN, and how many ports each rule holds now. Nothing when there
 * are none.
 */
function autoAttachRules(store) {
  const rules = store.autoAttach;
  if (!rules.length) return null;
  const made = portsPerRule(rules, store.ports);
  return h('div', { class: 'auto-attach' },
    h('h3', {}, 'Auto-attach rules'),
    h('p', { class: 'muted' }, 'An interface that appears with a matching name becomes a port, until it goes; the first matching rule wins.'),
    h('table', { class: 'grid', 'data-testid': 'auto-attach-rules' },
      h('thead', {}, h('tr', {}, ['match', 'VLAN', 'ports now'].map((t) => h('th', {}, t)))),
      h('tbody', {}, rules.map((rule, i) => h('tr', { dataset: { rule: rule.match } },
        h('td', {}, h('code', {}, rule.match)), h('td', {}, ruleVlanText(rule)),
        h('td', { class: 'num' }, String(made[i])))))));
}

export class PortPanel {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.name = null;
    this.host = null; // null: this host
    this.detail = null;
    this.detailError = null;
    this.capture = new CaptureButton(ctx);
    this.timer = setInterval(() => this.refreshDetail(), DETAIL_REFRESH_MS);
    ctx.store.on('ports', () => this.render());
    ctx.store.on('mirrors', () => this.render());
    ctx.store.on('rates', () => this.renderLive());
    ctx.store.on('fabric', () => this.render());
    ctx.store.on('autoAttach', () => this.render(true));
  }

  /** Shows port `name` of `host` (null: this host), or with no name every port of that host. */
  select(name, host = null) {
    this.name = name;
    this.host = S.isLocal(this.ctx.store.state, host) ? null : host;
    this.detail = null;
    this.detailError = null;
    this.render(true);
    this.refreshDetail();
  }

  async refreshDetail() {
    if (!this.name || this.root.hidden) return;
    const { name, host } = this;
    const current = () => name === this.name && host === this.host;
    try {
      let detail;
      if (host === null) {
        detail = await api.port(name);
      } else {
        // Another host answers for its ports as a list; its counters come with it.
        await this.ctx.store.load(S.hostTopic(host, 'ports'));
        detail = this.ctx.store.port(name, host);
      }
      if (!current()) return;
      this.detail = detail;
      this.detailError = null;
    } catch (e) {
      if (!current()) return;
      this.detailError = e;
    }
    this.renderCounters();
  }

  editing() {
    const a = document.activeElement;
    return a && this.root.contains(a) && (a.tagName === 'INPUT' || a.tagName === 'SELECT');
  }

  render(force = false) {
    if (!force && this.editing()) return;
    const store = this.ctx.store;
    if (!this.name) {
      this.renderList();
      return;
    }
    if (this.host !== null) {
      this.renderRemote(force);
      return;
    }
    const p = store.port(this.name);
    // Redraw only when what this part shows changed (not the counters, which change every
    // second), so that a message next to a control survives unrelated reloads.
    const signature = JSON.stringify([p && { ...p, stats: null }, store.mirrors.map((m) => m.config),
      S.clustered(store.state), store.autoAttach]);
    if (!force && signature === this.signature) return;
    this.signature = signature;
    if (!p) {
      replace(this.root, h('p', {}, `Port ${this.name} is gone.`),
        h('button', { type: 'button', onclick: () => this.ctx.selectPort(null) }, 'All ports'));
      return;
    }
    const adminStatus = h('div', { class: 'form-status' });
    const adminButton = h('button', {
      type: 'button',
      'data-testid': 'port-admin',
      onclick: async () => {
        clearErrors(adminStatus);
        try {
          await api.setAdmin(p.name, !p.enabled);
        } catch (e) {
          showErrors(adminStatus, null, e);
        }
      },
    }, p.enabled ? 'Disable port' : 'Enable port');
    const mirrors = store.mirrors.filter((m) => {
      const c = m.config;
      return c.outputPort === p.name || (c.srcPorts || []).includes(p.name) || (c.dstPorts || []).includes(p.name);
    });
    replace(this.root,
      h('div', { class: 'panel-head' },
        h('button', { type: 'button', class: 'link', onclick: () => this.ctx.selectPort(null) }, '← all ports'),
        h('h2', { 'data-testid': 'port-title' }, p.name, ' ', stateBadge(p), ' ', autoBadge(store.autoAttach, p),
          S.clustered(store.state) ? h('span', { class: 'muted host-of' }, ` on ${S.localHost(store.state)}`) : null)),
      h('dl', { class: 'facts' },
        h('dt', {}, 'kind'), h('dd', {}, `${p.kind} (${p.create}${p.persistent ? ', persistent' : ''})`),
        ownerFacts(store, p),
        h('dt', {}, 'switch id'), h('dd', {}, p.id < 0 ? 'not attached' : `#${p.id}`),
        h('dt', {}, 'VLAN'), h('dd', {}, vlanText(p.vlan)),
        h('dt', {}, 'MACs'), h('dd', {}, String(p.macs)),
        h('dt', {}, 'impairment'), h('dd', { 'data-testid': 'port-impair' }, impairText(p.impair))),
      h('div', { class: 'row' }, adminButton, ' ', this.capture.element(p.name), adminStatus),
      h('h3', {}, 'VLAN'),
      vlanEditor(p, {}),
      h('h3', {}, 'Link impairment'),
      impairEditor(p),
      h('h3', {}, 'Rates'),
      h('div', { id: 'port-live' }),
      h('h3', {}, 'Counters'),
      h('div', { id: 'port-counters' }),
      mirrors.length ? h('h3', {}, 'Mirrors') : null,
      mirrors.length ? h('ul', {}, mirrors.map((m) => h('li', {}, m.config.name,
        m.config.outputPort === p.name ? ' (this port is its output)' : ' (selects this port)'))) : null);
    this.renderLive();
    this.renderCounters();
  }

  /**
   * Another host's port: what its configuration and counters say, its rates and chart; nothing
   * that changes it.
   */
  renderRemote(force) {
    const store = this.ctx.store;
    const { host } = this;
    const p = store.port(this.name, host);
    const loaded = S.hostLoaded(store.state, host);
    const f = S.fabricHost(store.state, host);
    const signature = JSON.stringify([host, p && { ...p, stats: null }, loaded, f && f.state]);
    if (!force && signature === this.signature) return;
    this.signature = signature;
    const back = h('button', { type: 'button', class: 'link', onclick: () => this.ctx.selectPort(null, host) }, `← all ports of ${host}`);
    if (!p) {
      replace(this.root, h('div', { class: 'panel-head' }, back),
        h('p', {}, loaded ? `Port ${this.name} is gone from host ${host}.` : `Loading the ports of host ${host}…`));
      return;
    }
    replace(this.root,
      h('div', { class: 'panel-head' }, back,
        h('h2', { 'data-testid': 'port-title' }, p.name, ' ', stateBadge(p), h('span', { class: 'muted host-of' }, ` on ${host}`))),
      remoteNote(store, host, 'The port'),
      h('dl', { class: 'facts' },
        h('dt', {}, 'host'), h('dd', {}, host),
        h('dt', {}, 'kind'), h('dd', {}, `${p.kind}${p.remote ? ` to ${p.remote}` : ''}`),
        h('dt', {}, 'switch id'), h('dd', {}, p.id < 0 ? 'not attached' : `#${p.id}`),
        h('dt', {}, 'VLAN'), h('dd', {}, vlanText(p.vlan)),
        h('dt', {}, 'MACs'), h('dd', {}, String(p.macs))),
      h('h3', {}, 'Rates'),
      h('div', { id: 'port-live' }),
      h('h3', {}, 'Counters'),
      h('div', { id: 'port-counters' }));
    if (!this.detail) this.detail = p;
    this.renderLive();
    this.renderCounters();
  }

  renderList() {
    const store = this.ctx.store;
    const { host } = this;
    const remote = host !== null;
    const ports = S.hostPorts(store.state, host);
    const picker = hostPicker(store, host, (picked) => this.ctx.openHost(picked), 'port-host');
    replace(this.root,
      h('h2', {}, picker ? [h('span', {}, 'Ports '), picker] : 'Ports'),
      remote ? remoteNote(store, host, 'The ports') : null,
      h('p', { class: 'muted' }, remote && !S.hostLoaded(store.state, host) ? `Loading the ports of host ${host}…`
        : 'Select a port here or in the topology.'),
      h('table', { class: 'grid', 'data-testid': 'port-list', dataset: remote ? { host } : {} },
        h('thead', {}, h('tr', {}, ['port', 'state', 'VLAN', 'MACs', 'in', 'out'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ports.map((p) => {
          const r = store.rate(p.name, host);
          return h('tr', { class: 'clickable', dataset: { port: p.name }, onclick: () => this.ctx.selectPort(p.name, host) },
            h('td', {}, p.name, ' ', autoBadge(remote ? [] : store.autoAttach, p)), h('td', {}, stateBadge(p)),
            h('td', {}, h('span', { class: 'swatch', style: { background: vlanColor(p.vlan && p.vlan.mode === 'access' ? p.vlan.tag : 0) } }),
              vlanText(p.vlan)),
            h('td', { class: 'num' }, String(p.macs)),
            h('td', { class: 'num' }, fmt.bitRate(r.rxBps)), h('td', { class: 'num' }, fmt.bitRate(r.txBps)));
        }))),
      remote ? null : autoAttachRules(store));
  }

  renderLive() {
    if (!this.name) {
      if (!this.editing() && !this.root.hidden) this.renderList();
      return;
    }
    const live = this.root.querySelector('#port-live');
    if (!live) return;
    const store = this.ctx.store;
    const r = store.rate(this.name, this.host);
    replace(live,
      h('div', { class: 'rates', 'data-testid': 'port-rates' },
        h('span', { class: 'rx' }, `in ${fmt.bitRate(r.rxBps)} (${fmt.packetRate(r.rxPps)})`), ' · ',
        h('span', { class: 'tx' }, `out ${fmt.bitRate(r.txBps)} (${fmt.packetRate(r.txPps)})`),
        r.dropPps > 0 ? h('span', { class: 'drop' }, ` · drops ${fmt.packetRate(r.dropPps)}`) : null),
      rateChart(S.hostRates(store.state, this.host).get(this.name) || []));
  }

  renderCounters() {
    const box = this.root.querySelector('#port-counters');
    if (!box) return;
    if (this.detailError) {
      box.replaceChildren();
      showErrors(box, null, this.detailError instanceof ApiError ? this.detailError : new ApiError(0, [{ field: '', reason: String(this.detailError) }]));
      return;
    }
    const s = this.detail && this.detail.stats;
    if (!s) {
      replace(box, h('p', { class: 'muted' }, this.detail ? 'The switch holds no device for this port.' : 'loading…'));
      return;
    }
    const decisions = Object.entries(s.decisions || {});
    const drops = decisions.filter(([k]) => k.startsWith('DROP_')).sort((a, b) => b[1] - a[1]);
    const forwarded = decisions.filter(([k]) => !k.startsWith('DROP_'));
    const maxDrop = Math.max(1, ...drops.map(([, n]) => n));
    replace(box,
      h('table', { class: 'grid counters', 'data-testid': 'port-counters' },
        h('tr', {}, h('th', {}, ''), h('th', {}, 'packets'), h('th', {}, 'bytes'), h('th', {}, 'errors')),
        h('tr', {}, h('th', {}, 'received'), h('td', { class: 'num' }, fmt.count(s.rxPackets)),
          h('td', { class: 'num' }, fmt.bytes(s.rxBytes)), h('td', { class: 'num' }, String(s.rxErrors))),
        h('tr', {}, h('th', {}, 'sent'), h('td', { class: 'num' }, fmt.count(s.txPackets)),
          h('td', { class: 'num' }, fmt.bytes(s.txBytes)), h('td', { class: 'num' }, String(s.txErrors)))),
      h('p', {}, `dropped ${fmt.count(s.drops)} received frames; refused to learn ${fmt.count(s.learnRefused)} stations`),
      forwarded.length ? h('div', { class: 'decisions' }, h('h4', {}, 'Decisions'),
        h('ul', {}, forwarded.map(([k, n]) => h('li', {}, h('code', {}, k), ` ${fmt.count(n)}`)))) : null,
      h('div', { class: 'decisions', 'data-testid': 'port-drops' }, h('h4', {}, 'Drops by reason'),
        drops.length === 0 ? h('p', { class: 'muted' }, 'none') :
          h('table', { class: 'bars' }, drops.map(([k, n]) => h('tr', {},
            h('td', { title: k }, fmt.reason(k)),
            h('td', { class: 'num' }, fmt.count(n)),
            h('td', { class: 'bar-cell' }, h('span', { class: 'drop-bar', style: { width: `${(100 * n) / maxDrop}%` } })))))));
  }
}
