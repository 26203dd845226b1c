// What the panels share in a fabric: a picker of the host whose ports or MAC table a panel shows,
// and the note that says why another host's are read-only here.

import { h } from '../dom.js';
import * as S from '../state.js';

/**
 * A host picker, or null for an agent alone (whose panels stay as they always were).
 *
 * @param current the host shown (null: this host)
 * @param onPick called with the host picked (null for this host)
 */
export function hostPicker(store, current, onPick, testid) {
  const state = store.state;
  if (!S.clustered(state)) return null;
  const local = S.localHost(state);
  const select = h('select', { 'data-testid': testid, 'aria-label': 'host',
    onchange: () => onPick(select.value === local ? null : select.value) },
  S.fabricHosts(state).map((f) => h('option', { value: f.host, selected: (current || local) === f.host },
    `${f.host}${f.self ? ' (this host)' : ''}${f.state === 'up' ? '' : ` · ${f.state}`}`)));
  return h('label', { class: 'host-pick' }, 'host ', select);
}

/**
 * Why another host's `what` can be looked at here but not changed: this agent's API acts on this
 * host alone. Links to the host's own API, which serves its console.
 */
export function remoteNote(store, host, what) {
  const f = S.fabricHost(store.state, host);
  const local = S.localHost(store.state);
  return h('p', { class: 'remote-note', 'data-testid': 'remote-note' },
    `${what} of host ${host}, read-only here: changes made through this agent's API act on this host (${local}) only. `,
    f && f.apiUrl ? ['To change them, use ', h('a', { href: `${f.apiUrl}/`, target: '_blank', rel: 'noopener' }, `${host}'s own console`), '.']
      : null,
    f && f.state !== 'up' ? h('span', { class: 'error' }, ` ${host} is ${f.state}: what is shown is what it last answered.`) : null);
}
