// Small SVG charts over the metrics windows: lines, bars and horizontal reference lines (a budget,
// a capacity) on one time axis. No library: a few dozen points per chart.
(function () {
  'use strict';
  const { el, svg, fmt } = window.Eco;
  const W = 520;
  const H = 210;
  const M = { left: 58, right: 14, top: 12, bottom: 26 };

  /** A round step for about `count` ticks up to `max`. */
  function niceStep(max, count) {
    const raw = max / count;
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    return (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10) * mag;
  }

  /**
   * chart({ title, value, note, times, series: [{ name, values, kind: 'line'|'bar', color, dashed }],
   *         refs: [{ name, value, color }], format }) -> a card element.
   */
  function chart(opts) {
    const format = opts.format || fmt.compact;
    const tickFormat = opts.tickFormat || format;
    const n = opts.times.length;
    const values = [];
    for (const s of opts.series) for (const v of s.values) if (Number.isFinite(v)) values.push(v);
    for (const r of opts.refs || []) if (Number.isFinite(r.value)) values.push(r.value);
    const minV = Math.min(0, ...values);
    const maxV = Math.max(1, ...values);
    const step = niceStep(maxV - minV || 1, 4);
    const top = Math.ceil(maxV / step) * step;
    const bottom = Math.floor(minV / step) * step;
    const pw = W - M.left - M.right;
    const ph = H - M.top - M.bottom;
    const slot = pw / Math.max(1, n);
    const x = (i) => M.left + slot * (i + 0.5);
    const y = (v) => M.top + ph - ((v - bottom) / (top - bottom || 1)) * ph;

    const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': opts.title });
    for (let v = bottom; v <= top + step / 2; v += step) {
      root.append(svg('line', { x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: v === 0 ? 'axis' : 'gridline' }));
      root.append(svg('text', { x: M.left - 8, y: y(v) + 4, class: 'tick', 'text-anchor': 'end' }, tickFormat(v)));
    }
    const labelAt = n <= 1 ? [0] : n <= 4 ? [...Array(n).keys()] : [0, Math.floor((n - 1) / 2), n - 1];
    for (const i of labelAt) {
      if (i >= n) continue;
      root.append(svg('text', { x: x(i), y: H - 8, class: 'tick', 'text-anchor': 'middle' }, fmt.time(opts.times[i])));
    }

    const bars = opts.series.filter((s) => s.kind === 'bar');
    const barW = Math.max(2, (slot * 0.72) / Math.max(1, bars.length));
    bars.forEach((s, k) => {
      s.values.forEach((v, i) => {
        if (!Number.isFinite(v)) return;
        const x0 = x(i) - (barW * bars.length) / 2 + k * barW;
        const y0 = y(Math.max(0, v));
        const h = Math.max(v === 0 ? 0 : 1, Math.abs(y(v) - y(0)));
        root.append(svg('rect', { x: x0, y: y0, width: barW, height: h, fill: s.color, rx: 1.5 }, svg('title', {}, `${s.name}: ${format(v)} (window ending ${fmt.time(opts.times[i])})`)));
      });
    });
    for (const s of opts.series.filter((t) => t.kind !== 'bar')) {
      const pts = s.values.map((v, i) => (Number.isFinite(v) ? [x(i), y(v), v, i] : null)).filter(Boolean);
      if (pts.length > 1) {
        root.append(svg('polyline', { points: pts.map((p) => `${p[0]},${p[1]}`).join(' '), fill: 'none', stroke: s.color, 'stroke-width': 2.2, 'stroke-dasharray': s.dashed ? '5 4' : null, 'stroke-linejoin': 'round' }));
      }
      for (const p of pts) {
        root.append(svg('circle', { cx: p[0], cy: p[1], r: pts.length > 30 ? 1.8 : 3, fill: s.color }, svg('title', {}, `${s.name}: ${format(p[2])} (window ending ${fmt.time(opts.times[p[3]])})`)));
      }
    }
    for (const r of opts.refs || []) {
      if (!Number.isFinite(r.value)) continue;
      root.append(svg('line', { x1: M.left, x2: W - M.right, y1: y(r.value), y2: y(r.value), stroke: r.color, 'stroke-width': 1.6, 'stroke-dasharray': '6 4' }, svg('title', {}, `${r.name}: ${format(r.value)}`)));
    }

    const legend = el('div', { class: 'legend-row' });
    for (const s of opts.series) legend.append(el('span', { class: 'key' }, el('i', { style: `background:${s.color}` }), s.name));
    for (const r of opts.refs || []) legend.append(el('span', { class: 'key' }, el('i', { class: 'dash', style: `border-color:${r.color}` }), r.name));

    return el(
      'section',
      { class: 'chart-card', dataset: { chart: opts.id || opts.title } },
      el('header', {}, el('h3', {}, opts.title), el('span', { class: 'value' }, opts.value || '')),
      opts.note ? el('p', { class: 'note' }, opts.note) : null,
      root,
      legend,
    );
  }

  window.Eco.chart = chart;
})();
