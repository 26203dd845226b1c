// The fabric panel: every host of the fabric as this agent sees it (its state, the health and
// round trip of the tunnel to it, its VTEP, the VLANs it serves and the VNIs they travel as, what
// it says of itself), the VTEPs that are not agents, and the tunnel endpoint's settings. A row
// opens that host's ports. For an agent alone, it says so.

import { TUNNEL_COLORS } from '../colors.js';
import { h, replace } from '../dom.js';
import * as fmt from '../format.js';

function stateBadge(state) {
  return h('span', { class: `badge host-${state}` }, state);
}

function healthBadge(health) {
  if (!health) return h('span', { class: 'muted' }, '—');
  return h('span', { class: 'badge', style: { background: TUNNEL_COLORS[health] || TUNNEL_COLORS.unknown } }, health);
}

function rtt(micros) {
  if (!micros) return '—';
  return micros < 1000 ? `${micros} µs` : `${(micros / 1000).toFixed(1)} ms`;
}

function list(values) {
  return values && values.length ? values.join(', ') : '—';
}

export class FabricPanel {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    ctx.store.on('fabric', () => this.render());
    ctx.store.on('rates', () => this.renderRates());
    this.render();
  }

  render() {
    const state = this.ctx.store.state;
    const fabric = state.fabric;
    if (!fabric) {
      replace(this.root, h('h2', {}, 'Fabric'), h('p', { class: 'muted' }, 'loading…'));
      return;
    }
    if (!fabric.clustered) {
      replace(this.root, h('h2', {}, 'Fabric'),
        h('p', { 'data-testid': 'fabric-alone' }, 'This agent runs alone: its configuration has no cluster section, so it is the only host.'),
        this.staticVteps(fabric));
      return;
    }
    const v = fabric.vxlan;
    const down = fabric.hosts.filter((x) => x.state !== 'up').length;
    replace(this.root,
      h('h2', {}, 'Fabric'),
      h('p', { class: 'muted', 'data-testid': 'fabric-summary' },
        `${fabric.hosts.length} hosts${down ? ` (${down} not up)` : ''} · this agent is ${fabric.host}`,
        v ? ` · VXLAN UDP ${v.port}, underlay MTU ${v.underlayMtu}, VNI = ${v.vniBase} + VLAN` : ' · no vxlan section: no tunnels'),
      h('p', { class: 'muted' }, 'Tunnel health and round trip are this host\'s probes of each peer. Select a host to see its ports.'),
      h('div', { class: 'scroll' }, h('table', { class: 'grid', 'data-testid': 'fabric-hosts' },
        h('thead', {}, h('tr', {}, ['host', 'state', 'tunnel', 'RTT', 'VTEP', 'VLANs', 'VNIs', 'ports · MACs', 'tunnel in · out']
          .map((t) => h('th', {}, t)))),
        h('tbody', {}, fabric.hosts.map((x) => h('tr', {
          class: 'clickable', dataset: { host: x.host, state: x.state },
          title: x.self ? 'this host' : `cluster member: ${x.member ? 'yes' : 'no'} · last advert ${x.advertAgeMillis} ms ago`
            + `${x.reachable ? '' : ' · did not answer this request'} · API ${x.apiUrl}`,
          onclick: () => this.ctx.openHost(x.self ? null : x.host),
        },
        h('td', {}, h('strong', {}, x.host), x.self ? h('span', { class: 'muted' }, ' (this host)') : null),
        h('td', {}, stateBadge(x.state), x.member || x.self ? null : h('span', { class: 'muted' }, ' not a member')),
        h('td', { 'data-testid': 'tunnel-health' }, x.self ? h('span', { class: 'muted' }, '—') : healthBadge(x.tunnel)),
        h('td', { class: 'num' }, x.self ? '—' : rtt(x.rttMicros)),
        h('td', {}, h('code', {}, x.vtep || '—')),
        h('td', {}, x.vlans || '—'),
        h('td', {}, list(x.vnis)),
        h('td', { class: 'num' }, x.summary ? `${x.summary.ports} · ${x.summary.macs}` : h('span', { class: 'muted' }, 'no answer')),
        h('td', { class: 'num tunnel-rate', dataset: { port: x.port || '' } }, '')))))),
      this.staticVteps(fabric));
    this.renderRates();
  }

  /** Each tunnel's live rate, from this host's tunnel port to that host. */
  renderRates() {
    const store = this.ctx.store;
    this.root.querySelectorAll('td.tunnel-rate').forEach((td) => {
      const port = td.dataset.port;
      if (!port) {
        td.textContent = '—';
        return;
      }
      const r = store.rate(port);
      td.textContent = `${fmt.bitRate(r.rxBps)} · ${fmt.bitRate(r.txBps)}`;
    });
  }

  staticVteps(fabric) {
    const statics = fabric.staticVteps || [];
    if (!statics.length) return null;
    return [h('h3', {}, 'Static VTEPs (not agents)'),
      h('table', { class: 'grid', 'data-testid': 'static-vteps' },
        h('thead', {}, h('tr', {}, ['port', 'remote', 'VLANs', 'in', 'out'].map((t) => h('th', {}, t)))),
        h('tbody', {}, statics.map((x) => {
          const r = this.ctx.store.rate(x.port);
          return h('tr', {}, h('td', {}, x.port), h('td', {}, h('code', {}, x.remote)), h('td', {}, x.vlans || 'all'),
            h('td', { class: 'num' }, fmt.bitRate(r.rxBps)), h('td', { class: 'num' }, fmt.bitRate(r.txBps)));
        })))];
  }
}
