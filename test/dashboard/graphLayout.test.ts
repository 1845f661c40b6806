/** The artifact graph's layout: deterministic, principals on the inner circle, artifacts by their owner. */
import { layoutGraph } from '../../src/dashboard/graphLayout';
import type { GraphArtifact } from '../../src/dashboard/queries';

const art = (id: string, owner: string, o: Partial<GraphArtifact> = {}): GraphArtifact => ({ id, type: 'data', owner_id: owner, has_standing: false, can_execute: false, price: 0, ...o });
const agent = (id: string) => art(id, id, { type: 'agent', has_standing: true, can_execute: true });

const artifacts = [agent('b'), agent('a'), art('a_tool', 'a', { can_execute: true, type: 'tool' }), art('a_doc', 'a'), art('listed', 'genesis_escrow'), art('b_doc', 'b')];
const calls = [
  { caller_id: 'b', artifact_id: 'a_tool', calls: 4, ok: 3 },
  { caller_id: 'c', artifact_id: 'gone', calls: 1, ok: 0 },
];

test('the same rows in any order give the same picture', () => {
  const one = layoutGraph(artifacts, calls);
  const two = layoutGraph([...artifacts].reverse(), [...calls].reverse());
  const byId = (v: ReturnType<typeof layoutGraph>) => Object.fromEntries(v.nodes.map((n) => [n.id, [n.x, n.y, n.kind]]));
  expect(byId(two)).toEqual(byId(one));
});

test('principals, owners and callers sit on the inner circle; artifacts further out, in their owner\'s direction', () => {
  const g = layoutGraph(artifacts, calls);
  const node = (id: string) => g.nodes.find((n) => n.id === id)!;
  const dist = (id: string) => Math.hypot(node(id).x - g.size / 2, node(id).y - g.size / 2);
  const angle = (id: string) => Math.atan2(node(id).y - g.size / 2, node(id).x - g.size / 2);
  for (const id of ['a', 'b', 'c', 'genesis_escrow', 'gone']) expect(dist(id)).toBeCloseTo(250, 0);
  for (const id of ['a_tool', 'a_doc', 'b_doc', 'listed']) expect(dist(id)).toBeCloseTo(420, 0);
  // The first inner node (sorted by id) is at the top.
  expect(node('a')).toMatchObject({ x: 500, y: 250, kind: 'agent' });
  expect(Math.abs(angle('b_doc') - angle('b'))).toBeLessThan(0.01);
  expect(Math.abs(angle('a_tool') - angle('a'))).toBeLessThan(Math.PI / 5);
  expect(node('a_tool').kind).toBe('tool');
  expect(node('genesis_escrow').kind).toBe('other');
  expect(g.edges).toEqual(
    expect.arrayContaining([
      { from: 'a', to: 'a_tool', kind: 'owns', calls: 0, ok: 0 },
      { from: 'genesis_escrow', to: 'listed', kind: 'owns', calls: 0, ok: 0 },
      { from: 'b', to: 'a_tool', kind: 'invoke', calls: 4, ok: 3 },
      { from: 'c', to: 'gone', kind: 'invoke', calls: 1, ok: 0 },
    ]),
  );
  // Principals own themselves: no self loop.
  expect(g.edges.filter((e) => e.from === e.to)).toEqual([]);
});

test('a single principal sits in the middle', () => {
  const g = layoutGraph([agent('solo')], []);
  expect(g.nodes).toEqual([{ id: 'solo', kind: 'agent', type: 'agent', owner_id: 'solo', x: 500, y: 500 }]);
});
