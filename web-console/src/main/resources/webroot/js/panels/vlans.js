// The VLAN panel: a membership matrix (ports × VLANs; U untagged, T tagged, computed by the agent
// from the port configurations) where each row edits its port's VLAN mode, tag and trunks.

import { vlanColor } from '../colors.js';
import { h, replace, notice } from '../dom.js';
import { vlanEditor } from '../vlan-editor.js';

const FLASH_MS = 4000;

export class VlanPanel {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.flash = new Map(); // port -> {text, until}: "saved" survives the re-render the change causes
    this.stale = false;
    const redraw = () => this.render();
    ctx.store.on('ports', redraw);
    ctx.store.on('vlans', redraw);
    root.addEventListener('focusout', () => setTimeout(() => { if (this.stale) this.render(); }, 0));
  }

  editing() {
    const a = document.activeElement;
    return a && this.root.contains(a) && (a.tagName === 'INPUT' || a.tagName === 'SELECT');
  }

  /** The tab was opened: draws the matrix if it changed while hidden. */
  shown() {
    if (this.stale) this.render();
  }

  render() {
    // Hidden, the matrix (a row per port) waits until it is shown.
    if (this.editing() || this.root.hidden) {
      this.stale = true;
      return;
    }
    this.stale = false;
    const store = this.ctx.store;
    const table = store.vlans;
    // Only a change of what the matrix shows redraws it, so that an error shown in a row stays
    // while unrelated events reload the ports.
    const signature = JSON.stringify([store.ports.map((p) => [p.name, p.vlan]), table]);
    if (signature === this.signature) return;
    this.signature = signature;
    const vids = table.vlans.map((v) => v.vlan);
    const cell = (port, vid) => {
      const v = table.vlans.find((x) => x.vlan === vid);
      if (v.untagged.includes(port)) return h('td', { class: 'member u', title: `untagged member of VLAN ${vid}` }, 'U');
      if (v.tagged.includes(port)) return h('td', { class: 'member t', title: `tagged member of VLAN ${vid}` }, 'T');
      return h('td', { class: 'member' }, '');
    };
    replace(this.root,
      h('h2', {}, 'VLAN membership'),
      h('p', { class: 'muted' }, 'U: leaves untagged · T: leaves tagged · ∗: trunk of every VLAN. Edit a row and Apply.'),
      h('div', { class: 'scroll' }, h('table', { class: 'grid matrix', 'data-testid': 'vlan-matrix' },
        h('thead', {}, h('tr', {}, h('th', {}, 'port'), h('th', {}, 'mode · tag · trunks'),
          vids.map((vid) => h('th', { class: 'vid', style: { borderBottom: `4px solid ${vlanColor(vid)}` } }, String(vid))),
          h('th', {}, '∗'))),
        h('tbody', {}, store.ports.map((p) => {
          const editor = vlanEditor(p, { compact: true, onApplied: () => this.flashSaved(p.name) });
          const flash = this.flash.get(p.name);
          if (flash && flash.until > Date.now()) notice(editor.querySelector('.form-status'), flash.text);
          return h('tr', { dataset: { port: p.name } },
            h('th', {}, h('button', { type: 'button', class: 'link', onclick: () => this.ctx.selectPort(p.name) }, p.name)),
            h('td', {}, editor),
            vids.map((vid) => cell(p.name, vid)),
            h('td', { class: 'member' }, table.allVlans.includes(p.name) ? '∗' : ''));
        })))));
  }

  flashSaved(port) {
    this.flash.set(port, { text: 'saved', until: Date.now() + FLASH_MS });
  }
}
