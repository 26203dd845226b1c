// The topology view: the switch, its ports, the stations learned behind them, and mirrors, drawn
// with cytoscape.js and updated in place from the store (no relayout jumps, no reload).

import cytoscape from '../vendor/cytoscape.esm.min.js';
import { bitRate } from './format.js';
import { describe, edgeWidth, MAX_PIE } from './graph.js';

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
    this.cy.on('tap', 'node.port', (e) => handlers.onPort(e.target.data('name')));
    this.cy.on('tap', 'node.host', (e) => handlers.onHost(e.target.data('mac'), e.target.data('port')));
    const redraw = () => this.render();
    ['ports', 'fdb', 'vlans', 'mirrors', 'switch', 'vms'].forEach((t) => store.on(t, redraw));
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
        if (!wanted.has(el.id())) cy.remove(el);
      });
      for (const n of nodes) {
        const pos = positions.get(n.data.id) || { x: 0, y: 0 };
        const el = cy.getElementById(n.data.id);
        if (el.empty()) {
          cy.add({ group: 'nodes', data: n.data, classes: n.classes, position: { ...pos } });
        } else {
          el.data(n.data);
          el.classes(n.classes);
          el.position(pos);
        }
      }
      for (const e of edges) {
        const el = cy.getElementById(e.data.id);
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
        const r = this.store.rate(edge.data('port'));
        const total = r.rxBps + r.txBps;
        edge.data('width', edgeWidth(total));
        edge.data('label', total > 0 ? `in ${bitRate(r.rxBps)} · out ${bitRate(r.txBps)}` : '');
        edge.toggleClass('busy', total > 0);
      });
    });
  }

  applyFilter() {
    const vid = this.vlanFilter;
    const s = this.store;
    this.cy.batch(() => {
      this.cy.elements().removeClass('faded');
      if (vid === null) return;
      this.cy.nodes('.port').forEach((n) => {
        if (!s.carries(n.data('name'), vid)) n.addClass('faded');
      });
      this.cy.nodes('.host').forEach((n) => {
        if (!n.data('vlans').includes(vid)) {
          n.addClass('faded');
          n.connectedEdges().addClass('faded');
        }
      });
      this.cy.edges('.uplink').forEach((e) => {
        if (!s.carries(e.data('port'), vid)) e.addClass('faded');
      });
    });
  }

  select(portName) {
    this.cy.nodes(':selected').unselect();
    if (portName) this.cy.getElementById(`port:${portName}`).select();
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

  /** What is drawn, for tests and for the curious: ports, stations and mirrors as plain data. */
  snapshot() {
    const cy = this.cy;
    return {
      ports: cy.nodes('.port').map((n) => ({
        name: n.data('name'),
        up: !n.hasClass('down'),
        mirrorOutput: n.hasClass('mirror-out'),
        faded: n.hasClass('faded'),
        box: n.renderedBoundingBox({ includeLabels: false }),
      })),
      hosts: cy.nodes('.host').map((n) => ({ mac: n.data('mac'), port: n.data('port'), vlans: n.data('vlans') })),
      vms: cy.nodes('.vm').map((n) => ({ name: n.data('name'), lab: n.data('lab'), running: !n.hasClass('exited'),
        ports: n.connectedEdges('.vmlink').map((e) => e.source().data('name')) })),
      mirrorEdges: cy.edges('.mirror').map((e) => e.id()),
      uplinkLabels: cy.edges('.uplink').map((e) => e.data('label')),
    };
  }
}
