// Which auto-attach rule made a port, as the console works it out from the rules it loaded: the
// agent's globs and its first-match order.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  autoAttached, globRegExp, portsPerRule, ruleFor, ruleVlanText,
} from '../../main/resources/webroot/js/auto-attach.js';
import { applySnapshot, initialState } from '../../main/resources/webroot/js/state.js';
import { describe } from '../../main/resources/webroot/js/graph.js';
import { portView } from './fixtures.js';

const RULES = [
  { match: 'vm-db*', vlan: { mode: 'access', tag: 20 } },
  { match: 'vm-*', vlan: { mode: 'access', tag: 10 } },
  { match: 'tap[0-3]', vlan: { mode: 'trunk', trunks: '10,20-29' } },
  { match: 'lab?[!0-9]' },
];

function attached(name, extra = {}) {
  return { ...portView(name), kind: 'netdev', create: 'ATTACH', owner: 'auto-attach', ...extra };
}

test('globs match as the agent\'s do: * ? and sets, everything else literal', () => {
  const matches = (glob, name) => globRegExp(glob).test(name);
  assert.ok(matches('vm-*', 'vm-web0'));
  assert.ok(matches('vm-*', 'vm-'));
  assert.ok(!matches('vm-*', 'xvm-web0'), 'anchored at the start');
  assert.ok(!matches('vm-?', 'vm-10'), '? is one character');
  assert.ok(matches('tap[0-3]', 'tap3'));
  assert.ok(!matches('tap[0-3]', 'tap4'));
  assert.ok(matches('lab?[!0-9]', 'lab1x'));
  assert.ok(!matches('lab?[!0-9]', 'lab12'));
  assert.ok(matches('a.b', 'a.b'));
  assert.ok(!matches('a.b', 'axb'), 'a dot is a dot');
  assert.ok(matches('[-a]x', '-x'), 'a leading - in a set is literal');
});

test('a glob the agent refuses matches nothing', () => {
  assert.equal(globRegExp('vm[0-'), null);
  assert.equal(globRegExp('vm[]'), null);
  assert.equal(globRegExp('vm[9-0]'), null);
  assert.equal(ruleFor([{ match: 'vm[9-0]' }], 'vm5'), null);
});

test('the first matching rule is the one that made a port', () => {
  assert.equal(ruleFor(RULES, 'vm-db1').match, 'vm-db*');
  assert.equal(ruleFor(RULES, 'vm-web0').match, 'vm-*');
  assert.equal(ruleFor(RULES, 'tap2').match, 'tap[0-3]');
  assert.equal(ruleFor(RULES, 'eth0'), null);
  assert.equal(ruleFor([], 'vm-web0'), null);
});

test('a rule\'s VLAN reads as a port\'s', () => {
  assert.deepEqual(RULES.map(ruleVlanText), ['access 20', 'access 10', 'trunk [10,20-29]', 'trunk (all)']);
  assert.equal(ruleVlanText({ match: 'x', vlan: { mode: 'native-untagged', tag: 1 } }), 'native-untagged 1 [all]');
});

test('only ports owned by auto-attach count as made by a rule', () => {
  const ports = [attached('vm-db1'), attached('vm-web0'), attached('vm-web1'), portView('vm-lab0'),
    { ...portView('vm-ifup'), owner: 'api' }];
  assert.deepEqual(ports.map(autoAttached), [true, true, true, false, false]);
  assert.deepEqual(portsPerRule(RULES, ports), [1, 2, 0, 0]);
});

test('the rules are loaded into the state, and an auto-attached port is drawn marked', () => {
  let s = initialState();
  s = applySnapshot(s, 'autoAttach', { rules: RULES }).state;
  assert.deepEqual(s.autoAttach.map((r) => r.match), ['vm-db*', 'vm-*', 'tap[0-3]', 'lab?[!0-9]']);
  s = applySnapshot(s, 'ports', { ports: [attached('vm-web0'), portView('p1')] }).state;
  const classes = Object.fromEntries(describe(s).nodes.filter((n) => n.data.name).map((n) => [n.data.name, n.classes.split(' ')]));
  assert.ok(classes['vm-web0'].includes('auto-attached'));
  assert.ok(!classes.p1.includes('auto-attached'));
});
