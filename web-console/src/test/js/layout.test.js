// Where the topology puts its nodes (layout.js): a stable concentric layout, and short port labels.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { around, concentric, facing, shortNames } from '../../main/resources/webroot/js/layout.js';

const ports = (n, prefix = 'p') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

function hosts(port, n) {
  return Array.from({ length: n }, (_, i) => `mac:${port}/02:00:00:00:00:${String(i).padStart(2, '0')}`);
}

const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);
const radius = (p) => Math.hypot(p.x, p.y);
const angle = (p) => Math.atan2(p.y, p.x);

/** The smallest difference between two angles, in radians. */
function angleBetween(a, b) {
  const d = Math.abs(a - b) % (2 * Math.PI);
  return Math.min(d, 2 * Math.PI - d);
}

function minPairDistance(points) {
  let min = Infinity;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) min = Math.min(min, dist(points[i], points[j]));
  }
  return min;
}

test('the switch sits at the origin, alone when there are no ports', () => {
  const positions = concentric([], new Map());
  assert.deepEqual([...positions], [['switch', { x: 0, y: 0 }]]);
});

test('ports sit on one ring, the first at the top, the rest clockwise in configuration order', () => {
  const names = ports(6);
  const positions = concentric(names, new Map());
  const ring = names.map((n) => positions.get(`port:${n}`));
  ring.forEach((p) => assert.ok(Math.abs(radius(p) - radius(ring[0])) < 1e-9));
  assert.ok(Math.abs(ring[0].x) < 1e-9 && ring[0].y < 0, 'first port straight above the switch');
  for (let i = 1; i < ring.length; i++) {
    const step = (angle(ring[i]) - angle(ring[i - 1]) + 2 * Math.PI) % (2 * Math.PI);
    assert.ok(Math.abs(step - (2 * Math.PI) / names.length) < 1e-9, `even step after ${names[i - 1]}`);
  }
});

test('a few ports keep a fixed ring; fifty ports get a ring wide enough that none overlap', () => {
  const small = concentric(ports(3), new Map());
  const alsoSmall = concentric(ports(12), new Map());
  assert.equal(radius(small.get('port:p1')), radius(alsoSmall.get('port:p1')));
  const names = ports(50);
  const big = concentric(names, new Map());
  assert.ok(radius(big.get('port:p1')) > radius(small.get('port:p1')));
  // Port nodes are 34 px, mirror outputs 44 px: neighbours must be further apart than that.
  assert.ok(minPairDistance(names.map((n) => big.get(`port:${n}`))) > 44);
});

test('a station learned behind a port moves nothing else', () => {
  const names = ports(5);
  const before = new Map([['p1', hosts('p1', 3)], ['p3', hosts('p3', 1)]]);
  const after = new Map([['p1', hosts('p1', 3)], ['p3', hosts('p3', 2)]]);
  const a = concentric(names, before);
  const b = concentric(names, after);
  for (const [id, pos] of a) {
    if (id.startsWith('mac:p3/')) continue; // the port's own stations make room for the new one
    assert.deepEqual(b.get(id), pos, `${id} stayed`);
  }
  assert.equal(b.size, a.size + 1);
});

test('a station forgotten behind a port moves nothing else', () => {
  const names = ports(4);
  const a = concentric(names, new Map([['p2', hosts('p2', 4)], ['p4', hosts('p4', 2)]]));
  const b = concentric(names, new Map([['p2', hosts('p2', 4)], ['p4', hosts('p4', 1)]]));
  for (const [id, pos] of b) {
    if (id.startsWith('mac:p4/')) continue;
    assert.deepEqual(pos, a.get(id), `${id} stayed`);
  }
});

test('positions depend on the current ports and stations only: a port added and removed again leaves everything where it was', () => {
  const byPort = new Map([['p1', hosts('p1', 2)], ['p2', hosts('p2', 5)]]);
  const first = concentric(ports(3), byPort);
  concentric(ports(4), byPort);
  assert.deepEqual(concentric(ports(3), byPort), first);
});

test('stations sit outside the port ring, inside their port\'s sector, apart from each other', () => {
  const names = ports(8);
  const many = hosts('p3', 40); // more than one ring's worth
  const positions = concentric(names, new Map([['p3', many], ['p4', hosts('p4', 3)]]));
  const portRadius = radius(positions.get('port:p1'));
  const sector = (2 * Math.PI) / names.length;
  const p3 = positions.get('port:p3');
  const placed = many.map((id) => positions.get(id));
  for (const s of placed) {
    assert.ok(radius(s) > portRadius + 50, 'beyond the ports');
    assert.ok(angleBetween(angle(s), angle(p3)) < sector / 2, 'within the port\'s sector');
  }
  const rings = new Set(placed.map((s) => Math.round(radius(s))));
  assert.ok(rings.size > 1, 'a crowded port spills onto further rings');
  assert.ok(minPairDistance(placed) > 30, 'stations (18 px wide) do not overlap');
});

test('the same ports and stations always give the same positions', () => {
  const byPort = new Map([['p2', hosts('p2', 7)]]);
  assert.deepEqual(concentric(ports(9), byPort), concentric(ports(9), byPort));
});

test('short names drop the prefix that all ports share, up to its last separator', () => {
  assert.deepEqual([...shortNames(['tsdemo-p1', 'tsdemo-p2', 'tsdemo-p10'])],
    [['tsdemo-p1', 'p1'], ['tsdemo-p2', 'p2'], ['tsdemo-p10', 'p10']]);
  // The shared "lab.port" is cut after the dot, not inside the word, so names stay recognisable.
  assert.deepEqual([...shortNames(['lab.port1', 'lab.port2'])], [['lab.port1', 'port1'], ['lab.port2', 'port2']]);
});

test('names without a shared prefix, or a single name, are kept whole', () => {
  assert.deepEqual([...shortNames(['eth0', 'tap1'])], [['eth0', 'eth0'], ['tap1', 'tap1']]);
  assert.deepEqual([...shortNames(['tsdemo-p1'])], [['tsdemo-p1', 'tsdemo-p1']]);
  assert.deepEqual([...shortNames(['ab', 'abc'])], [['ab', 'ab'], ['abc', 'abc']]);
});

test('stations around a point start at the top of a ring, apart, and spill onto wider rings', () => {
  assert.equal(around([], 90).size, 0);
  const one = around(['x'], 90).get('x');
  assert.ok(Math.abs(one.x) < 1e-9 && Math.abs(one.y + 90) < 1e-9, 'straight above');
  const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
  const placed = around(ids, 90);
  assert.equal(placed.size, 40);
  const points = ids.map((id) => placed.get(id));
  assert.ok(points.every((p) => radius(p) >= 90 - 1e-9));
  assert.ok(new Set(points.map((p) => Math.round(radius(p)))).size > 1, 'more than one ring');
  assert.ok(minPairDistance(points) > 30);
});

test('ports can be turned to face a direction; the others keep their order in the places left', () => {
  const names = ['p1', 'p2', 'p3', 'p4', 'vtep-b'];
  assert.deepEqual(facing(names, new Map()), names);
  // Five places: top, then every 72° clockwise. Right (0) is nearest the second place (-18°).
  const right = facing(names, new Map([['vtep-b', 0]]));
  assert.deepEqual(right, ['p1', 'vtep-b', 'p2', 'p3', 'p4']);
  const placed = concentric(right, new Map()).get('port:vtep-b');
  assert.ok(placed.x > 0 && Math.abs(placed.y) < placed.x, 'on the right');
  // Two ports wanting the same side take the two nearest places; a port not there is ignored.
  const both = facing(names, new Map([['p4', Math.PI], ['vtep-b', Math.PI], ['gone', 0]]));
  assert.deepEqual([...both].sort(), [...names].sort());
  const pos = concentric(both, new Map());
  assert.ok(pos.get('port:p4').x < 0 && pos.get('port:vtep-b').x < 0, 'both on the left');
});
