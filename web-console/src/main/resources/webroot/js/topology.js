// The topology view: the switch, its ports, the stations learned behind them, and mirrors, drawn
// with cytoscape.js and updated in place from the store (no relayout jumps, no reload). In a
// fabric, each host is a compound node around its switch, and tunnels join the hosts.

import cytoscape from '../vendor/cytoscape.esm.min.js';
import { TUNNEL_COLORS } from './colors.js';
import { bitRate } from './format.js';
import { nextFrame } from './frame.js';
import {
  carriesVlan, describe, edgeWidth, MAX_PIE, portNodeId, scopeOf, tunnelLabel,
} from './graph.js';

const MIRROR_COLOR = '#8e24aa';
const DOWN_COLOR = '#bdbdbd';

function pieStyles() {
  const styles = [];
  for (let n = 1; n <= MAX_PIE; n++) {
    const style = { 'pie-size': '100%' };
    for (let k = 1; k <= n; k++) {
      style[`pie-${k}-background-color`] = `data(p${k})`;
      style[`pie-${k}-background-size`] = `${100 / n}%`;
    }
    styles.push({ selector: `node.pie${n}`, style });
  }
  return styles;
}

const STYLE = [
  {
    selector: 'node',
    style: {
      label: 'data(label)',
      'font-size': 10,
      'font-family': 'system-ui, sans-serif',
      color: '#263238',
      'text-wrap': 'wrap',
      'min-zoomed-font-size': 6,
    },
  },
  {
    selector: 'node.switch',
    style: {
      shape: 'round-rectangle',
      width: 96,
      height: 44,
      'background-color': '#263238',
      color: '#fff',
      'font-size': 12,
      'font-weight': 'bold',
      'text-valign': 'center',
      'text-halign': 'center',
    },
  },
  {
    selector: 'node.port',
    style: {
      width: 34,
      height: 34,
      'background-color': 'data(color)',
      'border-width': 2,
      'border-color': '#37474f',
      'text-valign': 'center',
      'text-halign': 'center',
      color: '#fff',
      'text-outline-width': 2,
      'text-outline-color': '#37474f',
      'font-weight': 'bold',
    },
  },
  { selector: 'node.port.trunk-all', style: { 'background-color': '#eceff1', 'border-width': 4, 'border-style': 'double' } },
  { selector: 'node.port.tunnel', style: { shape: 'hexagon', 'border-style': 'double', 'border-width': 4 } },
  { selector: 'node.port.vtep', style: { shape: 'barrel', width: 40 } },
  ...pieStyles(),
  // A port an auto-attach rule made: square-cornered, where the others are round.
  { selector: 'node.port.auto-attached', style: { shape: 'round-rectangle' } },
  {
    selector: 'node.port.mirror-out',
    style: { shape: 'diamond', width: 44, height: 44, 'border-color': MIRROR_COLOR, 'border-width': 4 },
  },
  { selector: 'node.port.mirror-src', style: { 'border-color': MIRROR_COLOR, 'border-width': 3, 'border-style': 'dashed' } },
  {
    selector: 'node.port.down',
    style: {
      'background-color': DOWN_COLOR,
      'pie-size': '0%',
      'border-color': '#9e9e9e',
      'border-style': 'dashed',
      'text-outline-color': '#9e9e9e',
    },
  },
  {
    selector: 'node.host',
    style: {
      shape: 'round-rectangle',
      width: 18,
      height: 12,
      'background-color': 'data(fill)',
      'border-width': 2,
      'border-color': 'data(color)',
      'font-size': 8,
      'text-valign': 'bottom',
      'text-margin-y': 2,
      color: '#37474f',
      // An edge to a station further out may pass under a label: the label stays readable.
      'text-background-color': '#fff',
      'text-background-opacity': 0.8,
    },
  },
  {
    selector: 'node.vm',
    style: {
      shape: 'round-rectangle',
      width: 34,
      height: 22,
      'background-color': '#ede7f6',
      'border-width': 2,
      'border-color': '#5e35b1',
      'font-size': 9,
      'text-valign': 'bottom',
      'text-margin-y': 2,
      color: '#311b92',
    },
  },
  { selector: 'node.vm.exited', style: { 'border-style': 'dashed', 'border-color': '#9e9e9e', color: '#757575' } },
  {
    selector: 'edge',
    style: {
      width: 1.5,
      'line-color': '#b0bec5',
      'curve-style': 'straight',
      'font-size': 8,
      color: '#37474f',
      'text-background-color': '#fff',
      'text-background-opacity': 0.85,
      'text-background-padding': 1,
      'min-zoomed-font-size': 6,
    },
  },
  // Only an edge that carries a width has it mapped: one without keeps the rule's own width
  // rather than a mapping cytoscape cannot resolve.
  { selector: 'edge[width]', style: { width: 'data(width)' } },
  { selector: 'edge.vmlink', style: { 'line-color': '#5e35b1', width: 2 } },
  // The last lab-check result of a VM (checks.js): green passed, red failed.
  { selector: 'node.vm.check-pass', style: { 'border-color': '#2e7d32', 'background-color': '#e8f5e9' } },
  { selector: 'node.vm.check-fail', style: { 'border-color': '#c62828', 'background-color': '#ffebee' } },
  { selector: 'edge.vmlink.check-pass', style: { 'line-color': '#2e7d32' } },
  { selector: 'edge.vmlink.check-fail', style: { 'line-color': '#c62828' } },
  { selector: 'node.host.static', style: { shape: 'rectangle', 'border-style': 'double', 'border-width': 3 } },
  { selector: 'edge.uplink', style: { label: 'data(label)', 'text-rotation': 'autorotate' } },
  { selector: 'edge.uplink.busy', style: { 'line-color': '#42a5f5' } },
  { selector: 'edge.uplink.down', style: { 'line-style': 'dashed', 'line-color': DOWN_COLOR } },
  { selector: 'edge.hostlink', style: { 'line-color': 'data(color)', width: 1.5 } },
  {
    selector: 'edge.mirror',
    style: {
      'curve-style': 'unbundled-bezier',
      'control-point-distances': 60,
      'line-color': MIRROR_COLOR,
      'line-style': 'dashed',
      width: 2,
      'target-arrow-shape': 'triangle',
      'target-arrow-color': MIRROR_COLOR,
      label: 'data(label)',
      color: MIRROR_COLOR,
    },
  },
  {
    selector: 'node.fabric-host',
    style: {
      shape: 'round-rectangle',
      'background-color': '#eef3f6',
      'background-opacity': 0.6,
      'border-width': 2,
      'border-color': '#78909c',
      padding: 24,
      label: 'data(label)',
      'text-valign': 'top',
      'text-halign': 'center',
      'text-margin-y': -4,
      'font-size': 13,
      'font-weight': 'bold',
      color: '#263238',
    },
  },
  { selector: 'node.fabric-host.local', style: { 'border-color': '#1565c0', 'background-color': '#e3f2fd' } },
  { selector: 'node.fabric-host.state-partitioned', style: { 'border-color': '#ef6c00', 'border-style': 'dotted', 'border-width': 3, color: '#e65100' } },
  {
    selector: 'node.fabric-host.state-down',
    style: { 'border-color': '#9e9e9e', 'border-style': 'dashed', 'background-color': '#f5f5f5', color: '#9e9e9e' },
  },
  { selector: 'node.switch.closed', style: { 'border-width': 2, 'border-style': 'dashed', 'border-color': '#90a4ae', height: 54, 'font-size': 10 } },
  { selector: 'node.in-down', style: { opacity: 0.45, 'background-color': DOWN_COLOR, 'border-color': '#9e9e9e', 'border-style': 'dashed', 'pie-size': '0%' } },
  { selector: 'edge.in-down', style: { 'line-style': 'dashed', 'line-color': DOWN_COLOR, opacity: 0.6 } },
  { selector: 'node.host.tunnel-station', style: { 'border-style': 'dashed' } },
  {
    selector: 'edge.tunnel',
    style: {
      width: 'data(width)',
      'line-color': TUNNEL_COLORS.unknown,
      'curve-style': 'unbundled-bezier',
      'control-point-distances': -40,
      label: 'data(label)',
      'font-size': 10,
      'font-weight': 'bold',
      'text-rotation': 'autorotate',
      'line-cap': 'round',
    },
  },
  ...Object.entries(TUNNEL_COLORS).map(([health, color]) => ({
    selector: `edge.tunnel.health-${health}`, style: { 'line-color': color, color },
  })),
  { selector: 'edge.tunnel.health-unknown', style: { 'line-style': 'dashed' } },
  { selector: 'edge.tunnel.no-port', style: { 'line-style': 'dotted' } },
  { selector: 'edge.tunnel.peer-down', style: { 'line-color': DOWN_COLOR, color: '#757575', 'line-style': 'dashed' } },
  {
    selector: 'node.vlan-group',
    style: {
      shape: 'round-rectangle',
      'background-color': 'data(fill)',
      'background-opacity': 0.25,
      'border-width': 2,
      'border-color': 'data(color)',
      padding: 14,
      label: 'data(label)',
      'text-valign': 'top',
      'text-halign': 'center',
      'text-margin-y': -3,
      'font-size': 13,
      'font-weight': 'bold',
      color: '#263238',
      'min-zoomed-font-size': 4,
    },
  },
  {
    selector: 'node.vlan-group.collapsed',
    style: {
      width: 150, height: 60, 'background-opacity': 0.6, 'border-style': 'double', 'border-width': 4,
      'text-valign': 'center', 'text-margin-y': 0,
    },
  },
  // At lab scale the view is zoomed out: port names are a little larger, to stay readable there.
  { selector: 'node.port.grouped', style: { 'font-size': 11, 'min-zoomed-font-size': 6 } },
  { selector: 'node.port.busy', style: { 'border-color': '#42a5f5', 'border-width': 4 } },
  {
    selector: 'node.station-count',
    style: {
      shape: 'ellipse', width: 18, height: 18, 'background-color': '#fff', 'border-width': 1.5, 'border-color': '#546e7a',
      'font-size': 8, 'text-valign': 'center', 'text-halign': 'center', color: '#263238', 'min-zoomed-font-size': 5,
    },
  },
  { selector: 'node.listed', style: { 'text-valign': 'center', 'text-halign': 'right', 'text-margin-x': 4, 'text-margin-y': 0 } },
  { selector: 'node.vm.listed', style: { width: 22, height: 14 } },
  { selector: 'node.more', style: { shape: 'rectangle', width: 8, height: 8, 'background-color': '#90a4ae', 'font-size': 8, color: '#546e7a' } },
  { selector: 'edge.hostlink.listed', style: { opacity: 0.35 } },
  { selector: '.faded', style: { opacity: 0.12 } },
  { selector: 'node.trace-in', style: { 'overlay-color': '#43a047', 'overlay-opacity': 0.35, 'overlay-padding': 6 } },
  { selector: 'node.trace-out', style: { 'overlay-color': '#fb8c00', 'overlay-opacity': 0.4, 'overlay-padding': 6 } },
  { selector: 'edge.trace-out', style: { 'line-color': '#fb8c00', width: 5 } },
  { selector: 'node:selected', style: { 'overlay-color': '#ffb300', 'overlay-opacity': 0.3, 'overlay-padding': 8 } },
  // Last, so that it wins: a label that would cover one that matters more is not drawn.
  { selector: 'node.label-hidden', style: { label: '' } },
];

/**
 * Which labels win when two would overlap, lowest first: what a person looks for (ports, their
 * groups, hosts) before what is listed behind them.
 */
function labelRank(n) {
  if (n.hasClass('fabric-host') || n.hasClass('switch')) return 0;
  if (n.selected()) return 1;
  if (n.hasClass('vlan-group')) return 2;
  if (n.hasClass('port')) return 3;
  if (n.hasClass('listed')) return 4;
  if (n.hasClass('vm')) return 5;
  if (n.hasClass('station-count')) return 6;
  return 7;
}

/** Zoom at and above which the ports in view list their stations (lab scale). */
export const EXPAND_ZOOM = 1.6;
/** Most ports zooming in expands at once. */
const MAX_ZOOM_EXPANDED = 12;

export class TopologyView {
  constructor(container, store, handlers) {
    this.store = store;
    this.handlers = handlers;
    this.vlanFilter = null;
    this.userMoved = false;
    this.shape = '';
    // How the lab-scale drawing is shown (graph.js's view): collapsed groups, the selected port and
    // the ports zoomed into, whose stations are listed, and the grid slots ports keep.
    this.collapsed = new Set();
    this.selectedPort = null;
    this.zoomExpanded = new Set();
    this.slots = new Map();
    this.grouped = false;
    this.pending = { render: false, rates: false };
    this.cy = cytoscape({
      container,
      style: STYLE,
      layout: { name: 'preset' },
      minZoom: 0.05,
      maxZoom: 4,
      wheelSensitivity: 0.3,
      boxSelectionEnabled: false,
    });
    container.addEventListener('wheel', () => { this.userMoved = true; }, { passive: true });
    this.cy.on('dragpan', () => { this.userMoved = true; });
    this.cy.on('tap', 'node.port', (e) => handlers.onPort(e.target.data('name'), e.target.data('host')));
    this.cy.on('tap', 'node.host', (e) => {
      const d = e.target.data();
      // A station beside a remote host was found in a table (`table`), not behind a port there.
      handlers.onHost(d.mac, d.port, d.port === null ? d.table : d.host);
    });
    this.cy.on('tap', 'node.station-count', (e) => handlers.onPort(e.target.data('port'), e.target.data('host')));
    this.cy.on('tap', 'node.switch[hostId], node.fabric-host', (e) => {
      // Only a tap on the host itself (a tap on what it holds may bubble up to its compound).
      const d = e.target.data();
      const own = e.target.hasClass('fabric-host') || e.target.hasClass('switch');
      if (own && d.local !== true && d.host !== null) handlers.onFabricHost(d.hostId);
    });
    // A tap on a VLAN group itself (not on a port in it) collapses it, or expands it again.
    this.cy.on('tap', 'node.vlan-group', (e) => {
      if (e.target === e.cy || !e.target.hasClass('vlan-group')) return;
      this.toggleGroup(e.target.id());
    });
    this.cy.on('viewport', () => this.zoomChanged());
    const redraw = () => this.scheduleRender();
    ['ports', 'fdb', 'vlans', 'mirrors', 'switch', 'vms', 'fabric', 'hosts'].forEach((t) => store.on(t, redraw));
    store.on('rates', () => this.schedule('rates'));
  }

  /**
   * Runs what an update asks for once, at the next animation frame: however many events arrive in
   * between (counters of 256 ports, a burst of learned MACs), cytoscape is updated once a frame.
   */
  schedule(what) {
    if (this.pending[what]) return;
    this.pending[what] = true;
    if (this.pending.frame) return;
    this.pending.frame = true;
    nextFrame(() => {
      const { render, rates } = this.pending;
      this.pending = { render: false, rates: false };
      if (render) this.render();
      else if (rates) this.updateRates();
    });
  }

  scheduleRender() {
    this.schedule('render');
  }

  fit() {
    this.userMoved = false;
    this.cy.fit(undefined, 30);
  }

  setVlanFilter(vid) {
    this.vlanFilter = vid;
    this.applyFilter();
  }

  /** The ports whose stations are listed: the selected one and those zoomed into. */
  expanded() {
    const ids = new Set(this.zoomExpanded);
    if (this.selectedPort) ids.add(this.selectedPort);
    return ids;
  }

  /** Collapses the VLAN group `id`, or expands it again. */
  toggleGroup(id) {
    if (this.collapsed.has(id)) this.collapsed.delete(id);
    else this.collapsed.add(id);
    this.render();
  }

  render() {
    const { nodes, edges, positions, slots, grouped } = describe(this.store.state,
      { collapsed: this.collapsed, expanded: this.expanded(), slots: this.slots });
    this.slots = slots;
    this.grouped = !!grouped || nodes.some((n) => n.classes.startsWith('vlan-group'));
    const cy = this.cy;
    const wanted = new Map([...nodes, ...edges].map((e) => [e.data.id, e]));
    // Compounds first, hosts before the groups they hold, so that what they hold finds its parent.
    // A compound's place is that of what it holds, so it is never set.
    const rank = (n) => (n.classes.startsWith('fabric-host') ? 0 : n.classes.startsWith('vlan-group') ? 1 : 2);
    const isCompound = (n) => rank(n) === 0 || (rank(n) === 1 && !n.classes.includes('collapsed'));
    const ordered = [...nodes].sort((a, b) => rank(a) - rank(b));
    cy.batch(() => {
      cy.elements().forEach((el) => {
        if (!el.removed() && !wanted.has(el.id())) cy.remove(el);
      });
      for (const n of ordered) {
        const compound = isCompound(n);
        const pos = positions.get(n.data.id) || { x: 0, y: 0 };
        let el = cy.getElementById(n.data.id);
        const parent = n.data.parent || null;
        if (!el.empty() && (el.data('parent') || null) !== parent) {
          // Moved into (or out of) a compound: when the fabric appears, this host's elements keep
          // their ids but gain a parent; a port whose VLAN changed moves to another group.
          el = el.move({ parent });
        }
        if (el.empty()) {
          cy.add({ group: 'nodes', data: n.data, classes: n.classes, ...(compound ? {} : { position: { ...pos } }) });
        } else {
          el.data(n.data);
          el.classes(n.classes);
          if (!compound) el.position(pos);
        }
      }
      for (const e of edges) {
        let el = cy.getElementById(e.data.id);
        if (!el.empty() && (el.source().id() !== e.data.source || el.target().id() !== e.data.target)) {
          // A tunnel's end moves from a host's switch to its tunnel port when the host is opened.
          cy.remove(el);
          el = cy.collection();
        }
        if (el.empty()) {
          cy.add({ group: 'edges', data: e.data, classes: e.classes });
        } else {
          el.classes(e.classes);
          if (!e.classes.startsWith('uplink')) el.data(e.data);
        }
      }
      if (this.selectedPort) cy.getElementById(this.selectedPort).select();
    });
    this.updateRates();
    this.applyFilter();
    this.declutter();
    // Stations listed beside a group do not change the drawing's shape: the room is kept for them.
    const shape = `${nodes.filter((n) => !this.grouped || !/\b(listed|station-count)\b/.test(n.classes)).length}`
      + `/${edges.filter((e) => !this.grouped || !/\b(listed|vmlink)\b/.test(e.classes)).length}`;
    if (shape !== this.shape && !this.userMoved) {
      cy.fit(undefined, 30);
    }
    this.shape = shape;
  }

  /**
   * Hides the labels that would cover one that matters more (labelRank), so that no two labels
   * drawn overlap. Labels and nodes scale together with the zoom, so what overlaps does not
   * depend on it: this runs after a render, not on every zoom.
   */
  declutter() {
    const cy = this.cy;
    cy.batch(() => cy.nodes('.label-hidden').removeClass('label-hidden'));
    const labelled = cy.nodes().filter((n) => n.visible() && n.data('label'));
    const boxes = labelled.map((n) => ({ n, rank: labelRank(n), b: labelBox(n) })).filter((x) => x.b);
    boxes.sort((a, b) => a.rank - b.rank || a.b.y1 - b.b.y1 || a.b.x1 - b.b.x1);
    const CELL_PX = 64;
    const grid = new Map();
    const cells = (b) => {
      const out = [];
      for (let x = Math.floor(b.x1 / CELL_PX); x <= Math.floor(b.x2 / CELL_PX); x++) {
        for (let y = Math.floor(b.y1 / CELL_PX); y <= Math.floor(b.y2 / CELL_PX); y++) out.push(`${x},${y}`);
      }
      return out;
    };
    const hide = [];
    for (const x of boxes) {
      const mine = cells(x.b);
      const clash = mine.some((c) => (grid.get(c) || []).some((o) => overlaps(o, x.b)));
      if (clash) {
        hide.push(x.n);
        continue;
      }
      for (const c of mine) {
        if (!grid.has(c)) grid.set(c, []);
        grid.get(c).push(x.b);
      }
    }
    cy.batch(() => hide.forEach((n) => n.addClass('label-hidden')));
  }

  updateRates() {
    this.cy.batch(() => {
      this.cy.edges('.uplink').forEach((edge) => {
        const r = this.store.rate(edge.data('port'), edge.data('host'));
        const total = r.rxBps + r.txBps;
        edge.data('width', edgeWidth(total));
        edge.data('label', total > 0 ? `in ${bitRate(r.rxBps)} · out ${bitRate(r.txBps)}` : '');
        edge.toggleClass('busy', total > 0);
      });
      // At lab scale a port has no uplink of its own: a busy one is outlined instead.
      this.cy.nodes('.port.grouped').forEach((n) => {
        const r = this.store.rate(n.data('name'), n.data('host'));
        n.toggleClass('busy', r.rxBps + r.txBps > 0);
      });
      this.cy.edges('.tunnel').forEach((edge) => {
        const port = edge.data('ratePort');
        if (!port) return;
        const r = this.store.rate(port, edge.data('rateHost'));
        const seen = edge.data('flipped') ? { rxBps: r.txBps, txBps: r.rxBps } : r;
        edge.data('width', edgeWidth(seen.rxBps + seen.txBps));
        edge.data('label', tunnelLabel(edge.data('health'), seen));
      });
    });
  }

  /** At lab scale, zooming in far enough lists the stations of the ports in view. */
  zoomChanged() {
    if (!this.grouped || this.zoomTimer) return;
    this.zoomTimer = setTimeout(() => {
      this.zoomTimer = null;
      const next = new Set();
      if (this.cy.zoom() >= EXPAND_ZOOM) {
        // The ports in view nearest to its centre, the one zoomed into first.
        const view = this.cy.extent();
        const cx = (view.x1 + view.x2) / 2;
        const cy = (view.y1 + view.y2) / 2;
        const inView = [];
        this.cy.nodes('.port').forEach((n) => {
          const p = n.position();
          if (p.x >= view.x1 && p.x <= view.x2 && p.y >= view.y1 && p.y <= view.y2) inView.push([Math.hypot(p.x - cx, p.y - cy), n.id()]);
        });
        inView.sort((a, b) => a[0] - b[0]).slice(0, MAX_ZOOM_EXPANDED).forEach(([, id]) => next.add(id));
      }
      const same = next.size === this.zoomExpanded.size && [...next].every((id) => this.zoomExpanded.has(id));
      if (same) return;
      this.zoomExpanded = next;
      this.render();
    }, 150);
  }

  applyFilter() {
    const vid = this.vlanFilter;
    const s = this.store;
    this.cy.batch(() => {
      this.cy.elements().removeClass('faded');
      if (vid === null) return;
      // This host's membership is the agent's VLAN table; another host's, its ports' configuration.
      const carries = (name, host) => (host === null || host === undefined ? s.carries(name, vid)
        : carriesVlan((s.port(name, host) || {}).vlan, vid));
      this.cy.nodes('.port').forEach((n) => {
        if (!carries(n.data('name'), n.data('host'))) n.addClass('faded');
      });
      this.cy.nodes('.host').forEach((n) => {
        if (!n.data('vlans').includes(vid)) {
          n.addClass('faded');
          n.connectedEdges().addClass('faded');
        }
      });
      this.cy.edges('.uplink').forEach((e) => {
        if (!carries(e.data('port'), e.data('host'))) e.addClass('faded');
      });
      this.cy.nodes('.vlan-group').forEach((n) => {
        if (n.data('vlan') !== vid) n.addClass('faded');
      });
    });
  }

  /** Selects port `portName` of `host` (none: nothing); at lab scale its stations are listed. */
  select(portName, host = null) {
    this.cy.nodes(':selected').unselect();
    const id = portName ? portNodeId(this.store.state, portName, host) : null;
    const before = this.selectedPort;
    this.selectedPort = id;
    if (this.grouped && id) {
      // A port in a collapsed group is shown: its group opens.
      const group = this.groupOfPort(portName, host);
      if (group && this.collapsed.delete(group)) this.shape = '';
    }
    if (this.grouped && before !== id) this.render();
    if (id) this.cy.getElementById(id).select();
  }

  /** The group node id a port of `host` is drawn in at lab scale, or null. */
  groupOfPort(name, host) {
    const scope = scopeOf(this.store.state, host);
    for (const [key, g] of this.slots) {
      if (key.startsWith(`${scope}#`) && !key.slice(scope.length + 1).includes('#') && g.slots.has(name)) {
        return `${scope}group:${key.slice(scope.length + 1)}`;
      }
    }
    return null;
  }

  /** Centres the view on an element (by id), zoomed in enough to read it; false when it is not drawn. */
  centreOn(id, zoom = 1.2) {
    const el = this.cy.getElementById(id);
    if (el.empty()) return false;
    this.userMoved = true;
    this.cy.stop();
    this.cy.zoom({ level: Math.max(this.cy.zoom(), zoom), position: el.position() });
    this.cy.center(el);
    return true;
  }

  /** Selects a VLAN group (searched for) and centres on it, opening it when collapsed. */
  showGroup(vid, host = null) {
    const id = `${scopeOf(this.store.state, host)}group:vlan${vid}`;
    if (this.collapsed.delete(id)) this.render();
    this.cy.nodes(':selected').unselect();
    const el = this.cy.getElementById(id);
    if (el.empty()) return false;
    el.select();
    this.userMoved = true;
    this.cy.fit(el, 40);
    return true;
  }

  /** Marks where a traced frame entered and where it would leave. */
  showTrace(inPort, egress) {
    this.cy.elements().removeClass('trace-in trace-out');
    if (!inPort) return;
    this.cy.getElementById(`port:${inPort}`).addClass('trace-in');
    for (const p of egress) {
      this.cy.getElementById(`port:${p}`).addClass('trace-out');
      this.cy.getElementById(`up:${p}`).addClass('trace-out');
    }
  }

  /**
   * What is drawn, for tests and for the curious: ports, stations and mirrors as plain data; in a
   * fabric also its hosts and tunnels; at lab scale the VLAN groups and station counts; and every
   * label drawn, with its box on screen, and every edge's drawn width.
   */
  snapshot() {
    const cy = this.cy;
    return {
      fabricHosts: cy.nodes('.fabric-host').map((n) => ({
        host: n.data('hostId'), local: n.data('local'), state: n.data('state'), down: n.hasClass('state-down'),
        open: !n.hasClass('closed'), label: n.data('label'),
        ports: n.descendants('.port').map((p) => p.data('name')),
        box: n.renderedBoundingBox({ includeLabels: false }),
        switchBox: n.children('.switch').renderedBoundingBox({ includeLabels: false }),
      })),
      tunnels: cy.edges('.tunnel').map((e) => ({
        id: e.id(), hosts: e.data('hosts'), health: e.data('health'), label: e.data('label'), source: e.source().id(),
        target: e.target().id(), hasPort: !e.hasClass('no-port'), peerDown: e.hasClass('peer-down'),
      })),
      ports: cy.nodes('.port').map((n) => ({
        name: n.data('name'),
        host: n.data('host') || null,
        hostDown: n.hasClass('in-down'),
        up: !n.hasClass('down'),
        mirrorOutput: n.hasClass('mirror-out'),
        autoAttached: n.hasClass('auto-attached'),
        faded: n.hasClass('faded'),
        selected: n.selected(),
        group: n.parent().hasClass('vlan-group') ? n.parent().id() : null,
        box: n.renderedBoundingBox({ includeLabels: false }),
      })),
      groups: cy.nodes('.vlan-group').map((n) => ({
        id: n.id(), vlan: n.data('vlan'), ports: n.data('ports'), collapsed: n.hasClass('collapsed'),
        drawnPorts: n.children('.port').length, selected: n.selected(),
        box: n.renderedBoundingBox({ includeLabels: false }),
      })),
      stationCounts: cy.nodes('.station-count').map((n) => ({ port: n.data('port'), count: n.data('count') })),
      hosts: cy.nodes('.host').map((n) => ({ mac: n.data('mac'), port: n.data('port'), vlans: n.data('vlans'),
        host: n.data('host') || null })),
      vms: cy.nodes('.vm').map((n) => ({ name: n.data('name'), lab: n.data('lab'), running: !n.hasClass('exited'),
        ports: n.connectedEdges('.vmlink').map((e) => e.source().data('name')) })),
      mirrorEdges: cy.edges('.mirror').map((e) => e.id()),
      uplinkLabels: cy.edges('.uplink').map((e) => e.data('label')),
      zoom: cy.zoom(),
      labels: this.drawnLabels(),
      edgeWidths: cy.edges().map((e) => ({ id: e.id(), classes: e.classes().join(' '), width: e.numericStyle('width'),
        color: e.style('line-color'), rendered: e.numericStyle('width') * cy.zoom() })),
    };
  }

  /** The node labels drawn now (not hidden, not too small to draw at this zoom), with their boxes on screen. */
  drawnLabels() {
    const cy = this.cy;
    const zoom = cy.zoom();
    const out = [];
    cy.nodes().forEach((n) => {
      if (!n.visible() || n.hasClass('label-hidden') || !n.data('label')) return;
      const text = n.style('label');
      if (!text) return;
      const min = n.numericStyle('min-zoomed-font-size') || 0;
      if (n.numericStyle('font-size') * zoom < min) return;
      const b = labelBox(n);
      if (!b) return;
      const pan = cy.pan();
      out.push({ id: n.id(), text, box: { x1: b.x1 * zoom + pan.x, y1: b.y1 * zoom + pan.y, x2: b.x2 * zoom + pan.x, y2: b.y2 * zoom + pan.y } });
    });
    return out;
  }
}

/** A node's label box in model coordinates, without the node itself (for a compound, its own label only). */
function labelBox(n) {
  const b = n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true, includeOverlays: false });
  if (!b || !Number.isFinite(b.x1) || b.w <= 0 || b.h <= 0) return null;
  return b;
}

function overlaps(a, b) {
  return a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;
}
