// The artifact graph as an SVG node-link diagram. The server lays it out (graphLayout.ts: principals
// on an inner circle, their artifacts around them); this draws it: ownership as thin grey lines,
// invocations as arrows whose width grows with the number of calls.
(function () {
  'use strict';
  const { el, svg, fmt } = window.Eco;

  const KIND_LABEL = { agent: 'agent', account: 'account (fund, firm, system)', tool: 'executable artifact', artifact: 'data artifact', other: 'other' };

  function short(id, max) {
    return id.length > max ? id.slice(0, max - 1) + '…' : id;
  }

  /** Where a line from (x1,y1) to (x2,y2) should stop to end at the edge of a node of radius r. */
  function trimmed(x1, y1, x2, y2, r) {
    const dx = x2 - x1;
    const dy = y2 - y1;
    const len = Math.hypot(dx, dy) || 1;
    return [x2 - (dx / len) * r, y2 - (dy / len) * r];
  }

  function radius(n) {
    return n.kind === 'agent' ? 20 : n.kind === 'account' || n.kind === 'other' ? 15 : 9;
  }

  function render(container, graph, statusOf) {
    const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
    // The drawing's own bounds (with room for labels), not the whole square: half a ring may be empty.
    const pad = 110;
    const xs = graph.nodes.map((n) => n.x);
    const ys = graph.nodes.map((n) => n.y);
    const x0 = Math.max(0, Math.min(...xs) - pad - 60);
    const x1 = Math.min(graph.size, Math.max(...xs) + pad + 60);
    const y0 = Math.max(0, Math.min(...ys) - pad / 2);
    const y1 = Math.min(graph.size, Math.max(...ys) + pad / 2);
    const root = svg('svg', { viewBox: `${x0} ${y0} ${x1 - x0} ${y1 - y0}`, class: 'graph', role: 'img', 'aria-label': 'artifact graph' });
    root.append(
      svg('defs', {},
        svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 5, markerHeight: 5, orient: 'auto-start-reverse' },
          svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' })),
        svg('marker', { id: 'arrow-failed', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 5, markerHeight: 5, orient: 'auto-start-reverse' },
          svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead failed' }))),
    );
    const maxCalls = Math.max(1, ...graph.edges.map((e) => e.calls));
    const edgeLayer = svg('g', { class: 'edges' });
    for (const e of graph.edges) {
      const a = nodes.get(e.from);
      const b = nodes.get(e.to);
      if (!a || !b) continue;
      if (e.kind === 'owns') {
        edgeLayer.append(svg('line', { x1: a.x, y1: a.y, x2: b.x, y2: b.y, class: 'owns' }, svg('title', {}, `${e.from} owns ${e.to}`)));
        continue;
      }
      const [ex, ey] = trimmed(a.x, a.y, b.x, b.y, radius(b) + 3);
      const width = 1.5 + 5 * Math.sqrt(e.calls / maxCalls);
      const failed = e.ok < e.calls;
      edgeLayer.append(
        svg('line', { x1: a.x, y1: a.y, x2: ex, y2: ey, class: 'invoke' + (e.ok === 0 ? ' failed' : ''), 'stroke-width': width, 'marker-end': e.ok === 0 ? 'url(#arrow-failed)' : 'url(#arrow)' },
          svg('title', {}, `${e.from} invoked ${e.to}: ${fmt.int(e.calls)} call(s), ${fmt.int(e.ok)} ok${failed ? `, ${fmt.int(e.calls - e.ok)} failed` : ''}`)),
      );
    }
    root.append(edgeLayer);

    const many = graph.nodes.length > 40;
    const nodeLayer = svg('g', { class: 'nodes' });
    const center = graph.size / 2;
    for (const n of graph.nodes) {
      const r = radius(n);
      const status = n.kind === 'agent' ? statusOf(n.id) : null;
      const g = svg('g', { class: `node ${n.kind}`, dataset: { id: n.id }, transform: `translate(${n.x},${n.y})` });
      const tip = `${n.id}\n${KIND_LABEL[n.kind] || n.kind}${n.type ? ` · type ${n.type}` : ''}${n.owner_id && n.owner_id !== n.id ? `\nowned by ${n.owner_id}` : ''}${status ? `\nstatus ${status}` : ''}`;
      if (n.kind === 'account' || n.kind === 'other') g.append(svg('rect', { x: -r, y: -r, width: 2 * r, height: 2 * r, rx: 4, transform: 'rotate(45)' }));
      else if (n.kind === 'tool') g.append(svg('rect', { x: -r, y: -r, width: 2 * r, height: 2 * r, rx: 2.5 }));
      else g.append(svg('circle', { r, class: status ? `status-${status}` : null }));
      g.append(svg('title', {}, tip));
      // Labels point away from the centre, so they do not sit on the lines.
      const big = n.kind === 'agent' || n.kind === 'account' || n.kind === 'other';
      if (big || !many) {
        const dx = n.x - center;
        const dy = n.y - center;
        const len = Math.hypot(dx, dy);
        const away = len < 1 ? [0, 1] : [dx / len, dy / len];
        const off = r + 10;
        const anchor = Math.abs(away[0]) < 0.3 ? 'middle' : away[0] > 0 ? 'start' : 'end';
        g.append(svg('text', { x: away[0] * off, y: away[1] * off + (away[1] > 0.3 ? 14 : away[1] < -0.3 ? -2 : 6), 'text-anchor': anchor, class: big ? 'label' : 'label small' }, short(n.id, big ? 24 : 18)));
      }
      nodeLayer.append(g);
    }
    root.append(nodeLayer);
    window.Eco.clear(container).append(root);
  }

  function legend(container) {
    const item = (shape, text) => el('li', {}, shape, text);
    const icon = (cls) => {
      const s = svg('svg', { viewBox: '-12 -12 24 24', class: 'icon' });
      if (cls === 'agent') s.append(svg('circle', { r: 9, class: 'agent-dot' }));
      if (cls === 'account') s.append(svg('rect', { x: -7, y: -7, width: 14, height: 14, rx: 2, transform: 'rotate(45)', class: 'account-dot' }));
      if (cls === 'tool') s.append(svg('rect', { x: -7, y: -7, width: 14, height: 14, rx: 2, class: 'tool-dot' }));
      if (cls === 'artifact') s.append(svg('circle', { r: 6, class: 'artifact-dot' }));
      if (cls === 'invoke') s.append(svg('line', { x1: -11, y1: 0, x2: 11, y2: 0, class: 'invoke' }));
      if (cls === 'owns') s.append(svg('line', { x1: -11, y1: 0, x2: 11, y2: 0, class: 'owns' }));
      if (cls === 'failed') s.append(svg('line', { x1: -11, y1: 0, x2: 11, y2: 0, class: 'invoke failed' }));
      return s;
    };
    window.Eco.clear(container).append(
      el('h3', {}, 'Who invokes whose artifacts'),
      el('ul', {},
        item(icon('agent'), 'agent (colour: status)'),
        item(icon('account'), 'account or other owner'),
        item(icon('tool'), 'executable artifact'),
        item(icon('artifact'), 'data artifact'),
        item(icon('owns'), 'owns'),
        item(icon('invoke'), 'invokes (wider: more calls)'),
        item(icon('failed'), 'invoked, every call failed')),
      el('p', { class: 'note' }, 'Genesis services are left out: every agent calls them. Hover a node or a line for details.'),
    );
  }

  window.Eco.graph = { render, legend };
})();
