// The tapswitch console: loads the switch's state from the REST API, keeps it current from the
// event stream, and wires the topology to the panels. No build step: plain ES modules.

import { onUnauthorized, setToken } from './api.js';
import { vlanColor, vlanLabel } from './colors.js';
import { h, replace, showErrors } from './dom.js';
import { EventFeed } from './feed.js';
import { Store } from './store.js';
import { TopologyView } from './topology.js';
import { PortPanel } from './panels/port.js';
import { FdbPanel } from './panels/fdb.js';
import { VlanPanel } from './panels/vlans.js';
import { MirrorPanel } from './panels/mirrors.js';
import { TracePanel } from './panels/trace.js';

const $ = (id) => document.getElementById(id);

function showGlobalError(err) {
  const box = $('global-errors');
  showErrors(box, null, err);
  box.append(h('button', { type: 'button', class: 'link', onclick: () => box.replaceChildren() }, 'dismiss'));
}

const TABS = ['port', 'fdb', 'vlans', 'mirrors', 'trace'];

function openTab(name) {
  if (name !== 'port') history.replaceState(null, '', `#${name}`);
  document.querySelectorAll('.tabs [data-tab]').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.tab === name)));
  document.querySelectorAll('.panel').forEach((p) => { p.hidden = p.dataset.panel !== name; });
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
  replace($('legend'),
    store.knownVlans().map((v) => h('span', { class: 'legend-item' },
      h('span', { class: 'swatch', style: { background: vlanColor(v) } }), vlanLabel(v))),
    h('span', { class: 'legend-item' }, h('span', { class: 'swatch down' }), 'port down'),
    h('span', { class: 'legend-item' }, h('span', { class: 'swatch mirror' }), 'mirror output'),
    h('span', { class: 'legend-item' }, h('span', { class: 'swatch trunk' }), 'trunk (all VLANs)'));
}

async function main() {
  const store = new Store();
  store.onError(showGlobalError);
  const ctx = { store };
  const topology = new TopologyView($('topology'), store, {
    onPort: (name) => ctx.selectPort(name),
    onHost: (mac, port) => {
      ctx.fdb.setFilter(mac);
      ctx.trace.from(mac, port);
      openTab('fdb');
    },
  });
  ctx.topology = topology;
  ctx.selectPort = (name) => {
    topology.select(name);
    ctx.port.select(name);
    openTab('port');
    history.replaceState(null, '', name ? `#port/${encodeURIComponent(name)}` : '#port');
  };
  ctx.port = new PortPanel($('panel-port'), ctx);
  ctx.fdb = new FdbPanel($('panel-fdb'), ctx);
  ctx.vlans = new VlanPanel($('panel-vlans'), ctx);
  ctx.mirrors = new MirrorPanel($('panel-mirrors'), ctx);
  ctx.trace = new TracePanel($('panel-trace'), ctx);

  document.querySelectorAll('.tabs [data-tab]').forEach((b) => b.addEventListener('click', () => {
    openTab(b.dataset.tab);
    if (b.dataset.tab === 'port') ctx.port.refreshDetail();
  }));
  $('fit-view').addEventListener('click', () => topology.fit());
  $('vlan-filter').addEventListener('change', (e) => topology.setVlanFilter(e.target.value === '' ? null : Number(e.target.value)));
  store.on('switch', renderHeader);
  for (const t of ['vlans', 'fdb']) {
    store.on(t, () => {
      renderVlanFilter(store, topology);
      renderLegend(store);
    });
  }

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
        if (loaded) document.body.dataset.ready = 'true';
      });
    },
  });

  window.tapswitch = { store, topology, snapshot: () => topology.snapshot(), selectPort: ctx.selectPort, openTab };
  // Deep links: #fdb, #vlans, #mirrors, #trace open a tab; #port/NAME opens a port.
  const hash = decodeURIComponent(window.location.hash.slice(1));
  if (hash.startsWith('port/')) {
    store.on('ports', function once() {
      if (!ctx.port.name && store.port(hash.slice(5))) ctx.selectPort(hash.slice(5));
    });
  } else if (TABS.includes(hash)) {
    openTab(hash);
  }
  ctx.port.render();
  // A first load paints at once; every (re)connection of the stream loads again (until it gets
  // through), so that nothing that happened before the stream was open is missed.
  store.loadAll().catch(showGlobalError);
  feed.start();
}

main().catch((e) => showGlobalError(e));
