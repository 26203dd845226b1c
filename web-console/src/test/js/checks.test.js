// Lab test results on the topology (checks.js): a VM and its links take the colour of the last
// lab-check event that named it.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { applyCheck, verdictClass, withVerdicts } from '../../main/resources/webroot/js/checks.js';
import { describe } from '../../main/resources/webroot/js/graph.js';
import { applyEvent } from '../../main/resources/webroot/js/state.js';
import { MONO0, WALL0, portView, stateWith } from './fixtures.js';

const NOW = { mono: MONO0, wall: WALL0 };
const result = (name, status, vms, lab = 'three') => ({ lab, name, kind: 'ping', status, durationMillis: 500, evidence: '-', vms });

test('the last check a VM ran in decides its verdict; an error counts as a failure', () => {
  let checks = new Map();
  checks = applyCheck(checks, result('a', 'PASS', ['vm1', 'vm3']));
  checks = applyCheck(checks, result('b', 'FAIL', ['vm2', 'vm3']));
  checks = applyCheck(checks, result('c', 'ERROR', ['vm4']));
  assert.deepEqual([...checks], [['three/vm1', 'PASS'], ['three/vm3', 'FAIL'], ['three/vm2', 'FAIL'], ['three/vm4', 'FAIL']]);
  const again = applyCheck(checks, result('d', 'PASS', ['vm3']));
  assert.equal(again.get('three/vm3'), 'PASS');
  assert.equal(checks.get('three/vm3'), 'FAIL', 'the earlier map is not changed');
  assert.ok(Object.isFrozen(again));
});

test('VMs carry their verdict into their classes; other labs and unchecked VMs stay as they are', () => {
  const checks = applyCheck(new Map(), result('a', 'PASS', ['vm1']));
  const vms = [{ lab: 'three', name: 'vm1' }, { lab: 'three', name: 'vm2' }, { lab: 'other', name: 'vm1' }];
  const out = withVerdicts(vms, checks);
  assert.deepEqual(out.map(verdictClass), [' check-pass', '', '']);
  assert.equal(withVerdicts(vms, new Map()), vms);
});

test('a lab-check event colours the VM node and its link in the topology', () => {
  const s = stateWith({
    ports: [portView('ts-v2-vm1'), portView('ts-v2-vm2')],
    vms: [
      { lab: 'three', name: 'vm1', state: 'RUNNING', ports: ['ts-v2-vm1'] },
      { lab: 'three', name: 'vm2', state: 'RUNNING', ports: ['ts-v2-vm2'] },
    ],
  });
  const u = applyEvent(s, 'lab-check', result('vlans-isolated', 'FAIL', ['vm1']), NOW);
  assert.deepEqual(u.changed, ['vms'], 'the topology redraws on the vms topic');
  const g = describe(applyEvent(u.state, 'lab-check', result('trunk', 'PASS', ['vm2']), NOW).state);
  const classes = (id) => (g.nodes.find((n) => n.data.id === id) || g.edges.find((e) => e.data.id === id)).classes.split(' ');
  assert.ok(classes('vm:three/vm1').includes('check-fail'));
  assert.ok(classes('vmlink:vm:three/vm1:ts-v2-vm1').includes('check-fail'));
  assert.ok(classes('vm:three/vm2').includes('check-pass'));
  assert.ok(classes('vmlink:vm:three/vm2:ts-v2-vm2').includes('check-pass'));
  assert.ok(!classes('vm:three/vm2').includes('check-fail'));
});
