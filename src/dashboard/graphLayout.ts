/**
 * The artifact graph, laid out deterministically: principals (and any other owner or caller) on an
 * inner circle sorted by id, each one's artifacts on an outer circle inside its own sector, so that
 * capital (what an agent owns and what others invoke of it) clusters around its owner. Pure: the
 * same rows always give the same picture.
 */
import type { GraphArtifact, InvocationEdge } from './queries';

export type GraphNodeKind = 'agent' | 'account' | 'artifact' | 'tool' | 'other';

export interface GraphNode {
  id: string;
  kind: GraphNodeKind;
  type: string | null;
  owner_id: string | null;
  x: number;
  y: number;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: 'invoke' | 'owns';
  calls: number;
  ok: number;
}

export interface GraphView {
  size: number;
  nodes: GraphNode[];
  edges: GraphEdge[];
}

const SIZE = 1000;
const INNER = 250;
const OUTER = 420;
/** Share of a sector that its artifacts spread over (the rest separates neighbours). */
const SPREAD = 0.8;

const round = (v: number) => Math.round(v * 10) / 10;

function kindOf(a: GraphArtifact | undefined): GraphNodeKind {
  if (!a) return 'other';
  if (a.has_standing) return a.can_execute ? 'agent' : 'account';
  return a.can_execute ? 'tool' : 'artifact';
}

export function layoutGraph(artifacts: GraphArtifact[], invocations: InvocationEdge[]): GraphView {
  const byId = new Map(artifacts.map((a) => [a.id, a]));
  const c = SIZE / 2;
  // Inner ring: principals, owners and callers (an owner may be a genesis account such as the escrow).
  const inner = new Set<string>();
  for (const a of artifacts) {
    if (a.has_standing) inner.add(a.id);
    else inner.add(a.owner_id);
  }
  for (const e of invocations) if (!byId.get(e.caller_id) || byId.get(e.caller_id)!.has_standing) inner.add(e.caller_id);
  // Invoked artifacts that are not among the rows (beyond the node limit, or deleted) hang off nothing.
  for (const e of invocations) if (!byId.has(e.artifact_id)) inner.add(e.artifact_id);
  const ring = [...inner].sort();
  const angleOf = new Map(ring.map((id, i) => [id, -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, ring.length)]));
  const sector = (2 * Math.PI) / Math.max(1, ring.length);

  const nodes: GraphNode[] = ring.map((id) => {
    const a = byId.get(id);
    const angle = angleOf.get(id)!;
    const r = ring.length === 1 ? 0 : INNER;
    return { id, kind: kindOf(a), type: a?.type ?? null, owner_id: a?.owner_id ?? null, x: round(c + r * Math.cos(angle)), y: round(c + r * Math.sin(angle)) };
  });

  const owned = new Map<string, GraphArtifact[]>();
  for (const a of artifacts) {
    if (inner.has(a.id)) continue;
    const list = owned.get(a.owner_id) ?? [];
    list.push(a);
    owned.set(a.owner_id, list);
  }
  for (const [owner, list] of [...owned.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    list.sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const base = angleOf.get(owner)!;
    list.forEach((a, i) => {
      const offset = list.length === 1 ? 0 : (i / (list.length - 1) - 0.5) * sector * SPREAD;
      // Two alternating radii keep neighbours in a crowded sector apart.
      const r = OUTER - (list.length > 6 && i % 2 === 1 ? 45 : 0);
      const angle = base + offset;
      nodes.push({ id: a.id, kind: kindOf(a), type: a.type, owner_id: a.owner_id, x: round(c + r * Math.cos(angle)), y: round(c + r * Math.sin(angle)) });
    });
  }

  const present = new Set(nodes.map((n) => n.id));
  const edges: GraphEdge[] = [];
  for (const a of artifacts) {
    if (a.owner_id !== a.id && present.has(a.owner_id)) edges.push({ from: a.owner_id, to: a.id, kind: 'owns', calls: 0, ok: 0 });
  }
  for (const e of invocations) {
    if (present.has(e.caller_id) && present.has(e.artifact_id)) edges.push({ from: e.caller_id, to: e.artifact_id, kind: 'invoke', calls: e.calls, ok: e.ok });
  }
  return { size: SIZE, nodes, edges };
}
