// The topology view: the switch, its ports, the stations learned behind them, and mirrors, drawn
// with cytoscape.js and updated in place from the store (no relayout jumps, no reload). In a
// fabric, each host is a compound node around its switch, and tunnels join the hosts.

import cytoscape from '../vendor/cytoscape.esm.min.js';
import { TUNNEL_COLORS } from './colors.js';
import { bitRate } from './format.js';
import { carriesVlan, describe, edgeWidth, MAX_PIE, portNodeId, tunnelLabel } from './graph.js';

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
  { selector: 'edge.vmlink', style: { 'line-color': '#5e35b1', width: 2 } },
  { selector: 'node.host.static', style: { shape: 'rectangle', 'border-style': 'double', 'border-width': 3 } },
  {
    selector: 'edge',
    style: {
      width: 'data(width)',
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
  { selector: '.faded', style: { opacity: 0.12 } },
  { selector: 'node.trace-in', style: { 'overlay-color': '#43a047', 'overlay-opacity': 0.35, 'overlay-padding': 6 } },
  { selector: 'node.trace-out', style: { 'overlay-color': '#fb8c00', 'overlay-opacity': 0.4, 'overlay-padding': 6 } },
  { selector: 'edge.trace-out', style: { 'line-color': '#fb8c00', width: 5 } },
  { selector: 'node:selected', style: { 'overlay-color': '#ffb300', 'overlay-opacity': 0.3, 'overlay-padding': 8 } },
];

export class TopologyView {
  constructor(container, store, handlers) {
    this.store = store;
    this.handlers = handlers;
    this.vlanFilter = null;
    this.userMoved = false;
    this.shape = '';
    this.cy = cytoscape({
      container,
      style: STYLE,
      layout: { name: 'preset' },
      minZoom: 0.15,
      maxZoom: 3,
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
    this.cy.on('tap', 'node.switch[hostId], node.fabric-host', (e) => {
      // Only a tap on the host itself (a tap on what it holds may bubble up to its compound).
      const d = e.target.data();
      const own = e.target.hasClass('fabric-host') || e.target.hasClass('switch');
      if (own && d.local !== true && d.host !== null) handlers.onFabricHost(d.hostId);
    });
    const redraw = () => this.render();
    ['ports', 'fdb', 'vlans', 'mirrors', 'switch', 'vms', 'fabric', 'hosts'].forEach((t) => store.on(t, redraw));
    store.on('rates', () => this.updateRates());
  }

  fit() {
    this.userMoved = false;
    this.cy.fit(undefined, 30);
  }

  setVlanFilter(vid) {
    this.vlanFilter = vid;
    this.applyFilter();
  }

  render() {
    const { nodes, edges, positions } = describe(this.store.state);
    const cy = this.cy;
    const wanted = new Map([...nodes, ...edges].map((e) => [e.data.id, e]));
    cy.batch(() => {
      cy.elements().forEach((el) => {
        if (!el.removed() && !wanted.has(el.id())) cy.remove(el);
      });
      // Compounds first, so that what they hold finds its parent. A compound's place is that of
      // what it holds, so it is never set.
      const ordered = [...nodes.filter((n) => n.classes.startsWith('fabric-host')), ...nodes.filter((n) => !n.classes.startsWith('fabric-host'))];
      for (const n of ordered) {
        const compound = n.classes.startsWith('fabric-host');
        const pos = positions.get(n.data.id) || { x: 0, y: 0 };
        let el = cy.getElementById(n.data.id);
        const parent = n.data.parent || null;
        if (!el.empty() && (el.data('parent') || null) !== parent) {
          // Moved into (or out of) a host's compound: when the fabric appears, this host's
          // elements keep their ids but gain a parent.
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
    });
    this.updateRates();
    this.applyFilter();
    const shape = `${nodes.length}/${edges.length}`;
    if (shape !== this.shape && !this.userMoved) {
      cy.fit(undefined, 30);
    }
    this.shape = shape;
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
    });
  }

  select(portName, host = null) {
    this.cy.nodes(':selected').unselect();
    if (portName) this.cy.getElementById(portNodeId(this.store.state, portName, host)).select();
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
   * fabric also its hosts and tunnels. A port's or station's `host` is null for this host's.
   */
  snapshot() {
    const cy = this.cy;
    return {
      fabricHosts: cy.nodes('.fabric-host').map((n) => ({
        host: n.data('hostId'), local: n.data('local'), state: n.data('state'), down: n.hasClass('state-down'),
        open: !n.hasClass('closed'), label: n.data('label'),
        ports: n.children('.port').map((p) => p.data('name')),
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
        faded: n.hasClass('faded'),
        box: n.renderedBoundingBox({ includeLabels: false }),
      })),
      hosts: cy.nodes('.host').map((n) => ({ mac: n.data('mac'), port: n.data('port'), vlans: n.data('vlans'),
        host: n.data('host') || null })),
      vms: cy.nodes('.vm').map((n) => ({ name: n.data('name'), lab: n.data('lab'), running: !n.hasClass('exited'),
        ports: n.connectedEdges('.vmlink').map((e) => e.source().data('name')) })),
      mirrorEdges: cy.edges('.mirror').map((e) => e.id()),
      uplinkLabels: cy.edges('.uplink').map((e) => e.data('label')),
    };
  }
}
