/**
 * report.html: one self-contained page (inline CSS and SVG, no script, no external asset) with the
 * headline, a table per arm, and charts: bounties solved over time, Gini of scrip over time, solved
 * and score per dollar. The dashboard's charts (src/dashboard/static/charts.js) draw into a live
 * DOM; this page is written once as text, so its few SVG shapes are made here.
 */
import type { Spread } from './metrics';
import type { ArmRun, ExperimentReport } from './report';

const W = 560;
const H = 240;
const M = { left: 56, right: 16, top: 16, bottom: 36 };
const COLORS: Record<string, string> = { society: '#2f6fdf', isolated: '#d9822b' };
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (Number.isInteger(v)) return String(v);
  return Number(v.toPrecision(digits)).toString();
}

function niceMax(max: number): number {
  if (max <= 0) return 1;
  const mag = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 2.5, 5, 10].map((m) => m * mag).find((m) => m >= max) as number;
}

interface Line {
  name: string;
  color: string;
  dash: string;
  points: Array<{ x: number; y: number | null }>;
}

function lineChart(title: string, lines: Line[], xLabel: string, yMaxAtLeast = 0): string {
  const xs = lines.flatMap((l) => l.points.map((p) => p.x));
  const ys = lines.flatMap((l) => l.points.map((p) => p.y).filter((y): y is number => y !== null));
  const xMax = Math.max(1, ...xs);
  const yMax = niceMax(Math.max(yMaxAtLeast, ...ys));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (v: number) => M.left + (v / xMax) * pw;
  const y = (v: number) => M.top + ph - (v / yMax) * ph;
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map((f) => `<line x1="${M.left}" x2="${W - M.right}" y1="${y(f * yMax)}" y2="${y(f * yMax)}" class="grid"/><text x="${M.left - 6}" y="${y(f * yMax) + 4}" text-anchor="end">${esc(num(f * yMax))}</text>`)
    .join('');
  const xTicks = [0, 0.5, 1].map((f) => `<text x="${x(f * xMax)}" y="${H - 18}" text-anchor="middle">${esc(num(f * xMax))}</text>`).join('');
  const paths = lines
    .map((l) => {
      const pts = l.points.filter((p) => p.y !== null).map((p) => `${x(p.x).toFixed(1)},${y(p.y as number).toFixed(1)}`);
      return pts.length ? `<polyline points="${pts.join(' ')}" fill="none" stroke="${l.color}" stroke-width="2" stroke-dasharray="${l.dash}"><title>${esc(l.name)}</title></polyline>` : '';
    })
    .join('');
  const legend = lines.map((l, i) => `<g transform="translate(${M.left + 8 + (i % 3) * 170},${M.top + 4 + Math.floor(i / 3) * 14})"><line x1="0" x2="18" y1="4" y2="4" stroke="${l.color}" stroke-width="2" stroke-dasharray="${l.dash}"/><text x="22" y="8">${esc(l.name)}</text></g>`).join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${grid}${xTicks}<text x="${M.left + pw / 2}" y="${H - 4}" text-anchor="middle">${esc(xLabel)}</text>${paths}${legend}</svg></figure>`;
}

function barChart(title: string, bars: Array<{ label: string; value: number | null; color: string }>): string {
  const yMax = niceMax(Math.max(0, ...bars.map((b) => b.value ?? 0)));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const slot = pw / Math.max(1, bars.length);
  const y = (v: number) => M.top + ph - (v / yMax) * ph;
  const grid = [0, 0.5, 1].map((f) => `<line x1="${M.left}" x2="${W - M.right}" y1="${y(f * yMax)}" y2="${y(f * yMax)}" class="grid"/><text x="${M.left - 6}" y="${y(f * yMax) + 4}" text-anchor="end">${esc(num(f * yMax))}</text>`).join('');
  const rects = bars
    .map((b, i) => {
      const x0 = M.left + slot * i + slot * 0.2;
      const v = b.value ?? 0;
      const label = `<text x="${x0 + slot * 0.3}" y="${H - 18}" text-anchor="middle">${esc(b.label)}</text>`;
      const value = `<text x="${x0 + slot * 0.3}" y="${y(v) - 4}" text-anchor="middle">${esc(b.value === null ? 'n/a' : num(b.value))}</text>`;
      return `<rect x="${x0}" y="${y(v)}" width="${slot * 0.6}" height="${Math.max(0, y(0) - y(v))}" fill="${b.color}"><title>${esc(`${b.label}: ${num(b.value)}`)}</title></rect>${label}${value}`;
    })
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${grid}${rects}</svg></figure>`;
}

function table(head: string[], rows: Array<Array<string | number | null>>): string {
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(typeof c === 'number' || c === null ? num(c) : c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function spreadText(s: Spread): string {
  if (s.mean === null) return `n/a (${s.reasons.join('; ') || 'no repeats'})`;
  const range = s.values.length > 1 ? ` (min ${num(s.min)}, max ${num(s.max)} over ${s.values.length} repeats)` : '';
  return `${num(s.mean)}×${range}`;
}

const runName = (r: ArmRun) => `${r.arm} #${r.repeat}`;
const lineOf = (r: ArmRun, points: Line['points']): Line => ({ name: runName(r), color: COLORS[r.arm] ?? '#555', dash: DASHES[(r.repeat - 1) % DASHES.length] ?? '', points });

export function renderReportHtml(report: ExperimentReport): string {
  const h = report.headline.collective_advantage;
  const runs = report.runs;
  const perRun = table(
    ['run', 'stopped by', 'minutes', 'dollars', 'solved', 'score', 'solved / $', 'score / $', 'reuse share', 'depth (max / mean)', 'trades', 'final Gini (scrip)', 'CPU ms (sandbox / LLM)'],
    runs.map((r) => {
      const x = r.results;
      return [
        runName(r),
        r.stopped_by,
        r.elapsed_seconds / 60,
        x.spend.dollars,
        x.bounties.solved,
        x.bounties.score,
        x.bounties.solved_per_dollar.value,
        x.bounties.score_per_dollar.value,
        x.reuse.share.value,
        `${num(x.reuse.max_depth)} / ${num(x.reuse.mean_depth)}`,
        x.trades.count,
        x.wealth.final_gini_scrip,
        `${x.spend.cpu_ms_sandbox} / ${x.spend.cpu_ms_llm}`,
      ];
    }),
  );
  const special = runs
    .map((r) => `<h3>${esc(runName(r))}</h3>${table(['agent', 'actions', 'HHI of action types', 'invocations', 'HHI of artifacts invoked', 'dollars', 'final scrip', 'final compute'], r.results.specialisation.agents.map((a) => [a.agent, a.actions, a.action_hhi, a.invocations, a.artifact_hhi, r.results.spend.per_agent_dollars[a.agent] ?? 0, r.results.wealth.final_scrip[a.agent] ?? 0, r.results.wealth.final_compute[a.agent] ?? 0]))}`)
    .join('');
  const trades = runs
    .filter((r) => r.results.trades.count > 0)
    .map((r) => `<h3>${esc(runName(r))}</h3>${table(['kind', 'what', 'seller', 'buyer', 'price', 'unit price'], [
      ...r.results.trades.artifact_sales.map((s) => ['artifact', s.artifact, s.seller, s.buyer, s.price, null]),
      ...r.results.trades.right_sales.map((s) => ['right', `${s.amount} ${s.resource}`, s.seller, s.buyer, s.price, s.unit_price]),
    ])}`)
    .join('');
  const oracle = runs.filter((r) => r.results.oracle.scores.length > 0).map((r) => `<h3>${esc(runName(r))}</h3>${table(['resolution', 'bidder', 'artifact', 'score', 'price', 'minted'], r.results.oracle.scores.map((s) => [s.resolution, s.bidder, s.artifact, s.score, s.price, s.minted]))}`).join('');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Experiment ${esc(report.name)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#1d2433;background:#fbfbfd;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:14px;margin:16px 0 6px}
.muted{color:#667}.headline{display:flex;gap:16px;flex-wrap:wrap}.card{background:#fff;border:1px solid #dde;border-radius:8px;padding:12px 16px;min-width:240px}
.card b{display:block;font-size:24px;margin-top:2px}table{border-collapse:collapse;background:#fff;margin:4px 0;font-size:13px}
th,td{border:1px solid #dde;padding:4px 8px;text-align:right}th:first-child,td:first-child{text-align:left}th{background:#f0f2f7}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:12px}figure{margin:0;background:#fff;border:1px solid #dde;border-radius:8px;padding:8px}
figcaption{font-weight:600;margin:0 0 4px}svg{width:100%;height:auto;font-size:11px;fill:#445}svg .grid{stroke:#e3e6ee}
</style></head><body>
<h1>Experiment ${esc(report.name)}</h1>
<p class="muted">${esc(report.spec.description ?? '')} ${esc(report.spec.agents.length)} agents; suite ${esc(report.spec.suite)}; each arm until $${esc(num(report.limits.budget_usd))} or ${esc(num(report.limits.minutes))} minutes; ${esc(report.spec.repeats)} repeat(s). ${esc(report.started_at)} – ${esc(report.finished_at)}.</p>
<h2>Collective advantage</h2>
<div class="headline">
<div class="card">bounties solved per dollar, society / isolated<b>${esc(spreadText(h.solved))}</b></div>
<div class="card">score per dollar, society / isolated<b>${esc(spreadText(h.score))}</b></div>
</div>${report.headline.note ? `<p class="muted">${esc(report.headline.note)}</p>` : ''}
<h2>Arms (mean over repeats)</h2>
${table(['arm', 'runs', 'solved', 'score', 'dollars', 'solved / $', 'score / $', 'reuse share', 'mean depth', 'final Gini (scrip)', 'trades'], report.arms.map((a) => [a.arm, a.runs, a.solved, a.score, a.dollars, a.solved_per_dollar, a.score_per_dollar, a.reuse_share, a.mean_depth, a.final_gini_scrip, a.trades]))}
<div class="charts">
${lineChart('Bounties solved over time', runs.map((r) => lineOf(r, r.results.bounties.solved_over_time.map((p) => ({ x: p.t / 60, y: p.solved })))), 'minutes', 1)}
${lineChart('Wealth inequality: Gini of the agents\u2019 scrip', runs.map((r) => lineOf(r, r.results.wealth.gini_scrip_over_time.map((p) => ({ x: p.t / 60, y: p.gini })))), 'minutes', 1)}
${barChart('Bounties solved per dollar', runs.map((r) => ({ label: runName(r), value: r.results.bounties.solved_per_dollar.value, color: COLORS[r.arm] ?? '#555' })))}
${barChart('Share of invocations of others\u2019 artifacts (reuse)', runs.map((r) => ({ label: runName(r), value: r.results.reuse.share.value, color: COLORS[r.arm] ?? '#555' })))}
</div>
<h2>Runs</h2>
${perRun}
<h2>Specialisation (Herfindahl index: 1 = one kind only)</h2>
${special}
<h2>Trades and prices of rights</h2>
${trades || '<p class="muted">No trades.</p>'}
<h2>Oracle scores</h2>
${oracle || '<p class="muted">No scored oracle slots.</p>'}
</body></html>
`;
}
