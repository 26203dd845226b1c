// The console's link impairment text and request bodies.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { clearedBody, directionText, impairBody, impairText } from '../../main/resources/webroot/js/impair.js';

const BOTH = { egress: { delayMs: 20, jitterMs: 2, lossPercent: 10 }, ingress: { rateKbit: 10000 } };

test('an impairment reads as its settings, direction by direction', () => {
  assert.equal(impairText(BOTH), 'egress: delay 20 ms, jitter 2 ms, loss 10 %; ingress: rate 10000 kbit/s');
  assert.equal(impairText({ ingress: { duplicatePercent: 1, reorderPercent: 5, delayMs: 3 } }),
    'ingress: delay 3 ms, duplicate 1 %, reorder 5 %');
  assert.equal(impairText(undefined), 'none');
  assert.equal(impairText({}), 'none');
  assert.equal(directionText({ lossPercent: 0 }), 'none');
});

test('setting one direction keeps the other and leaves empty fields out', () => {
  const body = impairBody(BOTH, 'ingress', { delayMs: ' 5 ', jitterMs: '', lossPercent: '0.5', rateKbit: '' });
  assert.deepEqual(body, { egress: BOTH.egress, ingress: { delayMs: 5, lossPercent: 0.5 } });
  assert.notEqual(body.egress, BOTH.egress, 'a copy, not the state object');
  assert.deepEqual(impairBody(null, 'egress', { lossPercent: '10' }), { egress: { lossPercent: 10 } });
});

test('text that is no number goes to the API as typed, so that it names the field', () => {
  assert.deepEqual(impairBody(null, 'egress', { lossPercent: 'ten' }), { egress: { lossPercent: 'ten' } });
});

test('clearing one direction keeps the other; clearing both is the empty object', () => {
  assert.deepEqual(impairBody(BOTH, 'egress', {}), { ingress: BOTH.ingress });
  assert.deepEqual(clearedBody(BOTH, 'ingress'), { egress: BOTH.egress });
  assert.deepEqual(clearedBody(BOTH, null), {});
});
