// The tapswitch console: loads the switch's state from the REST API, keeps it current from the
// event stream, and wires the topology to the panels. No build step: plain ES modules.

import { onUnauthorized, setToken } from './api.js';
import { TUNNEL_COLORS, vlanColor, vlanLabel } from './colors.js';
import { h, replace, showErrors } from './dom.js';
import { EventFeed } from './feed.js';
import { nextFrame } from './frame.js';
import { portNodeId, scopeOf } from './graph.js';
import { find } from './search.js';
import * as S from './state.js';
import { Store } from './store.js';
import { TopologyView } from './topology.js';
import { PortPanel } from './panels/port.js';
import { FdbPanel } from './panels/fdb.js';
import { VlanPanel } from './panels/vlans.js';
import { MirrorPanel } from './panels/mirrors.js';
import { TracePanel } from './panels/trace.js';
import { FabricPanel } from './panels/fabric.js';

const $ = (id) => document.getElementById(id);

function showGlobalError(err) {
  const box = $('global-errors');
  showErrors(box, null, err);
  box.append(h('button', { type: 'button', class: 'link', onclick: () => box.replaceChildren() }, 'dismiss'));
}

/** The Performance API mark set once the first full load is drawn and the page answers. */
const INTERACTIVE_MARK = 'tapswitch-interactive';

/**
 * Everything loaded is drawn now, not at the next frame: from here the page answers. The first
 * time is marked for the Performance API (how long a large lab takes to come up).
 */
function drawnAll(topology) {
  topology.render();
  if (performance.getEntriesByName(INTERACTIVE_MARK).length === 0) performance.mark(INTERACTIVE_MARK);
}

/** Panels that draw only while shown, told when they are shown again (set up in main). */
const onShow = new Map();

const TABS = ['port', 'fdb', 'vlans', 'mirrors', 'trace', 'fabric'];

function openTab(name) {
  if (name !== 'port') history.replaceState(null, '', `#${name}`);
  document.querySelectorAll('.tabs [data-tab]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === name)));
  document.querySelectorAll('.panel').forEach((p) => { p.hidden = p.dataset.panel !== name; });
  if (onShow.has(name)) onShow.get(name)();
}

function renderHeader(store) {
  const s = store.switchInfo;
  if (!s) return;
  $('switch-name').textContent = s.name;
  $('switch-summary').textContent = `${s.ports} ports · ${s.fdb.entries} MACs · ${s.mirrors} mirrors · revision ${s.revision}`
    + (s.eventsDropped ? ` · ${s.eventsDropped} events dropped` : '');
}

function renderVlanFilter(store, topology) {
  const select = $('vlan-filter');
  const current = select.value;
  replace(select, h('option', { value: '' }, 'all'),
    store.knownVlans().map((v) => h('option', { value: String(v), selected: String(v) === current }, vlanLabel(v))));
  if (select.value !== current) topology.setVlanFilter(null);
}

function renderLegend(store) {
  // In a fabric, what the tunnels' colors and a greyed host mean.
  const fabric = S.clustered(store.state) ? [
    h('span', { class: 'legend-item' }, 'tunnel ', Object.entries(TUNNEL_COLORS).map(([health, color]) => h('span', { class: 'legend-sub' },
      h('span', { class: 'swatch tunnel', style: { background: color } }), health))),
    h('span', { class: 'legend-item' }, h('span', { class: 'swatch host-down' }), 'host down'),
  ] : [];
  replace($('legend'),
    store.knownVlans().map((v) => h('span', { class: 'legend-item' },
      h('span', { class: 'swatch', style: { background: vlanColor(v) } }), vlanLabel(v))),
    h('span', { class: 'legend-item' }, h('span', { class: 'swatch down' }), 'port down'),
    h('span', { class: 'legend-item' }, h('span', { class: 'swatch mirror' }), 'mirror output'),
    h('span', { class: 'legend-item' }, h('span', { class: 'swatch trunk' }), 'trunk (all VLANs)'),
    // Square ports are what an auto-attach rule made; said only where there are rules.
    store.autoAttach.length ? h('span', { class: 'legend-item' }, h('span', { class: 'swatch auto' }), 'auto-attached') : null,
    fabric);
}

/** In a fabric: the Fabric tab, and a badge with how many hosts there are and how many are not up. */
function renderFabric(store) {
  const state = store.state;
  const on = S.clustered(state);
  document.querySelector('.tabs [data-tab="fabric"]').hidden = !on;
  const badge = $('fabric-summary');
  badge.hidden = !on;
  if (!on) return;
  const hosts = S.fabricHosts(state);
  const notUp = hosts.filter((x) => x.state !== 'up');
  badge.textContent = `${S.localHost(state)} · ${hosts.length} hosts${notUp.length ? ` · ${notUp.map((x) => `${x.host} ${x.state}`).join(', ')}` : ''}`;
  badge.dataset.down = String(notUp.length > 0);
}

/**
 * Finds what the search box names (search.js), selects it and centres the view on it: a port
 * opens in the port panel, a MAC or a VM opens the port it is behind, a VLAN selects its group
 * (at lab scale) or filters the view to it.
 */
function search(store, ctx, query) {
  const out = $('search-result');
  const hit = find(store.state, query);
  out.dataset.found = String(!!hit);
  if (!hit) {
    out.textContent = query.trim() ? `nothing named ${query.trim()}` : '';
    return null;
  }
  const topology = ctx.topology;
  if (hit.kind === 'vlan') {
    if (!topology.showGroup(hit.vlan)) {
      const select = $('vlan-filter');
      select.value = String(hit.vlan);
      topology.setVlanFilter(select.value === '' ? null : hit.vlan);
    }
    out.textContent = `VLAN ${hit.vlan}`;
    return hit;
  }
  const port = hit.kind === 'port' ? hit.name : hit.port;
  ctx.selectPort(port, hit.host);
  const scope = scopeOf(store.state, hit.host);
  const target = hit.kind === 'mac' ? `${scope}mac:${port}/${hit.mac}` : hit.kind === 'vm' ? `vm:${hit.lab}/${hit.name}` : null;
  if (!target || !topology.centreOn(target)) topology.centreOn(portNodeId(store.state, port, hit.host));
  out.textContent = hit.kind === 'port' ? `port ${port}` : `${hit.kind === 'mac' ? hit.mac : hit.name} behind ${port}`;
  return hit;
}

async function main() {
  // Listeners hear of changes once a frame, however many events came (see Store).
  const store = new Store(undefined, nextFrame);
  store.onError(showGlobalError);
  const ctx = { store };
  const topology = new TopologyView($('topology'), store, {
    onPort: (name, host) => ctx.selectPort(name, host),
    onHost: (mac, port, host) => {
      const local = S.isLocal(store.state, host);
      const table = local ? null : host;
      if (ctx.fdb.host !== table) ctx.fdb.showHost(table);
      ctx.fdb.setFilter(mac);
      // A trace is this host's: it starts at one of its ports.
      if (local && port) ctx.trace.from(mac, port);
      openTab('fdb');
    },
    onFabricHost: (host) => ctx.openHost(host),
  });
  ctx.topology = topology;
  /** Opens port `name` of `host` (null: this host), or with no name that host's port list. */
  ctx.selectPort = (name, host = null) => {
    const remote = !S.isLocal(store.state, host);
    if (remote) store.openHost(host);
    topology.select(name, remote ? host : null);
    ctx.port.select(name, remote ? host : null);
    openTab('port');
    const hostPart = remote ? `host/${encodeURIComponent(host)}/` : '';
    history.replaceState(null, '', name ? `#${hostPart}port/${encodeURIComponent(name)}` : remote ? `#host/${encodeURIComponent(host)}` : '#port');
  };
  /** Opens a host of the fabric: its ports in the port panel (fetched, then kept, for another host). */
  ctx.openHost = (host) => ctx.selectPort(null, host);
  ctx.port = new PortPanel($('panel-port'), ctx);
  ctx.fdb = new FdbPanel($('panel-fdb'), ctx);
  ctx.vlans = new VlanPanel($('panel-vlans'), ctx);
  ctx.mirrors = new MirrorPanel($('panel-mirrors'), ctx);
  ctx.trace = new TracePanel($('panel-trace'), ctx);
  ctx.fabric = new FabricPanel($('fabric'), ctx);
  onShow.set('fdb', () => ctx.fdb.shown());
  onShow.set('vlans', () => ctx.vlans.shown());

  document.querySelectorAll('.tabs [data-tab]').forEach((b) => b.addEventListener('click', () => {
    openTab(b.dataset.tab);
    if (b.dataset.tab === 'port') ctx.port.refreshDetail();
  }));
  $('fit-view').addEventListener('click', () => topology.fit());
  ctx.search = (query) => search(store, ctx, query);
  $('search-form').addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.search($('search').value);
  });
  $('vlan-filter').addEventListener('change', (e) => topology.setVlanFilter(e.target.value === '' ? null : Number(e.target.value)));
  store.on('switch', renderHeader);
  for (const t of ['vlans', 'fdb', 'fabric', 'autoAttach']) {
    store.on(t, () => {
      renderVlanFilter(store, topology);
      renderLegend(store);
    });
  }
  store.on('fabric', renderFabric);
  $('fabric-summary').addEventListener('click', () => openTab('fabric'));

  onUnauthorized(() => { $('token-prompt').hidden = false; });
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    setToken($('token-input').value.trim());
    $('token-prompt').hidden = true;
    window.location.reload();
  });

  const state = $('stream-state');
  const feed = new EventFeed({
    onEvent: (type, data) => store.apply(type, data),
    onState: (s, detail) => {
      state.dataset.state = s;
      state.textContent = s === 'open' ? 'live' : s;
      state.title = detail ? `event stream: ${detail}` : 'live event stream';
      document.body.dataset.stream = s;
    },
    onOpen: () => {
      store.loadAllUntilDone().then((loaded) => {
        if (!loaded) return;
        drawnAll(topology);
        document.body.dataset.ready = 'true';
      });
    },
  });

  window.tapswitch = {
    store, topology, snapshot: () => topology.snapshot(), selectPort: ctx.selectPort, openHost: ctx.openHost, openTab,
    search: ctx.search,
  };
  // Deep links: #fdb, #vlans, #mirrors, #trace, #fabric open a tab; #port/NAME opens a port;
  // #host/HOST opens a host of the fabric, #host/HOST/port/NAME one of its ports.
  const hash = window.location.hash.slice(1);
  const hostLink = /^host\/([^/]+)(?:\/port\/([^/]+))?$/.exec(hash);
  if (hash.startsWith('port/')) {
    const name = decodeURIComponent(hash.slice(5));
    store.on('ports', function once() {
      if (!ctx.port.name && store.port(name)) ctx.selectPort(name);
    });
  } else if (hostLink) {
    // Which host is this one only the fabric says.
    let done = false;
    store.on('fabric', () => {
      if (done || !S.fabricHost(store.state, decodeURIComponent(hostLink[1]))) return;
      done = true;
      const host = decodeURIComponent(hostLink[1]);
      ctx.selectPort(hostLink[2] ? decodeURIComponent(hostLink[2]) : null, host);
    });
  } else if (TABS.includes(hash)) {
    openTab(hash);
  }
  ctx.port.render();
  // A first load paints at once; every (re)connection of the stream loads again (until it gets
  // through), so that nothing that happened before the stream was open is missed.
  store.loadAll().then(() => drawnAll(topology), showGlobalError);
  store.startFabricRefresh();
  feed.start();
}

main().catch((e) => showGlobalError(e));
