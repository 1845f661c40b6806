// The dashboard page: one EventSource (/api/stream) brings the shared snapshot and the events; each
// view is redrawn from them. Nothing here writes: the server only serves GET.
(function () {
  'use strict';
  const { el, clear, fmt } = window.Eco;
  const $ = (id) => document.getElementById(id);

  const MAX_EVENTS = 500;
  const STATUS_ORDER = ['thinking', 'acting', 'starting', 'sleeping', 'refilling', 'waiting-for-budget', 'waiting-for-funding', 'think-failing', 'stuck-in-debt', 'frozen-in-debt', 'paused', 'stopped', 'unknown'];
  const state = { snap: null, events: [], eventSeqs: new Set(), sort: { key: 'id', dir: 1 }, view: 'agents', graphKey: '', chartsKey: '' };

  // ---- tabs ----
  function showView(name) {
    const views = ['agents', 'charts', 'events', 'escrow', 'bounties', 'oracle', 'graph'];
    if (!views.includes(name)) name = 'agents';
    state.view = name;
    for (const v of views) $(`view-${v}`).hidden = v !== name;
    for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.view === name);
    document.body.dataset.view = name;
    render();
  }
  window.addEventListener('hashchange', () => showView(location.hash.slice(1)));

  // ---- header ----
  function statusChip(status, count) {
    return el('span', { class: `chip status-${status}`, dataset: { status } }, el('i'), `${status} ${count}`);
  }

  function renderHeader(s) {
    $('supply').textContent = fmt.int(s.scrip_supply);
    $('treasury').textContent = `treasury ${fmt.int(s.treasury)} · ${fmt.int(s.artifacts)} artifacts`;
    const llm = s.llm;
    $('spent').textContent = fmt.dollars(llm.spent_micros);
    $('budget').textContent = fmt.dollars(llm.budget_micros);
    const pct = (v) => (llm.budget_micros > 0 ? Math.min(100, (100 * v) / llm.budget_micros) : 0);
    // Anything spent shows as at least a sliver.
    $('spent-bar').style.width = llm.spent_micros > 0 ? `max(3px, ${pct(llm.spent_micros)}%)` : '0';
    $('reserved-bar').style.width = llm.reserved_micros > 0 ? `max(2px, ${pct(llm.reserved_micros)}%)` : '0';
    $('card-dollars').classList.toggle('alert', llm.exhausted);
    $('dollars-sub').textContent = llm.exhausted
      ? 'budget spent: all thinking has stopped'
      : `${fmt.dollars(llm.remaining_micros)} left${llm.reserved_micros ? ` · ${fmt.dollars(llm.reserved_micros)} held by running calls` : ''}`;
    $('agent-count').textContent = fmt.int(s.agents);
    const chips = clear($('status-chips'));
    const statuses = Object.keys(s.agents_by_status).sort((a, b) => STATUS_ORDER.indexOf(a) - STATUS_ORDER.indexOf(b));
    for (const st of statuses) chips.append(statusChip(st, s.agents_by_status[st]));
    $('in-debt').textContent = fmt.int(s.principals_in_debt);
    $('card-debt').classList.toggle('alert', s.principals_in_debt > 0);
    $('listings').textContent = fmt.int(s.open_listings);
    $('market-sub').textContent = `listings open · ${fmt.int(s.open_bids)} sealed bid${s.open_bids === 1 ? '' : 's'}`;
    $('next-oracle').textContent = s.next_resolution_at ? fmt.relative(s.next_resolution_at) : 'off';
    $('next-oracle-at').textContent = s.next_resolution_at ? fmt.dateTime(s.next_resolution_at) : 'no resolution scheduled';
    $('updated').textContent = `updated ${fmt.time(s.at)}`;
  }

  // ---- agents ----
  const sortValue = {
    id: (a) => a.id,
    status: (a) => STATUS_ORDER.indexOf(a.state.status),
    scrip: (a) => a.scrip,
    compute: (a) => a.compute.available,
    tokens: (a) => a.llm_tokens.available,
    dollars: (a) => a.llm_spent_micros,
    iteration: (a) => (a.last_action ? a.last_action.iteration : -1),
  };

  function bucketCell(b) {
    const debt = b.in_debt;
    return el('td', { class: 'num' + (debt ? ' debt' : '') },
      el('div', {}, fmt.int(b.available), el('span', { class: 'muted' }, ` / ${fmt.compact(b.capacity)}`)),
      el('div', { class: 'sub' }, debt ? (b.recovers_at ? `in debt, recovers ${fmt.relative(b.recovers_at)}` : 'in debt, no refill') : `+${fmt.int(b.rate)}/s`));
  }

  function renderAgents(agents) {
    const body = clear($('agents-table').tBodies[0]);
    $('agents-empty').hidden = agents.length > 0;
    const { key, dir } = state.sort;
    const sorted = [...agents].sort((a, b) => {
      const x = sortValue[key](a);
      const y = sortValue[key](b);
      return (x < y ? -1 : x > y ? 1 : 0) * dir || (a.id < b.id ? -1 : 1);
    });
    for (const a of sorted) {
      const st = a.state;
      const until = st.until ? ` until ${fmt.time(st.until)}` : '';
      const waiting = st.detail || (st.waitingFor === 'timer' ? `until ${fmt.time(st.until)}` : st.waitingFor ? `waiting for ${st.waitingFor}${until}` : st.reason || '');
      const last = a.last_action;
      const lastText = last ? `${last.action_type || 'invalid output'} · ${last.status}` : 'no action yet';
      body.append(
        el('tr', { dataset: { agent: a.id } },
          el('td', {},
            el('a', { href: a.workflow_url, target: '_blank', rel: 'noreferrer noopener', class: 'agent-link', title: 'open the workflow in the Temporal UI' }, a.id),
            el('div', { class: 'sub' }, [a.model, a.owned_artifacts ? `${a.owned_artifacts} artifact${a.owned_artifacts === 1 ? '' : 's'}` : null].filter(Boolean).join(' · '))),
          el('td', {}, el('span', { class: `pill status-${st.status}`, dataset: { status: st.status } }, st.status), el('div', { class: 'sub' }, waiting)),
          el('td', { class: 'num scrip', dataset: { scrip: String(a.scrip) } }, fmt.int(a.scrip)),
          bucketCell(a.compute),
          bucketCell(a.llm_tokens),
          el('td', { class: 'num' }, fmt.dollars(a.llm_spent_micros), el('div', { class: 'sub', title: 'LLM calls paid, and the dollar allowance left' }, `${fmt.int(a.llm_calls)} call${a.llm_calls === 1 ? '' : 's'} · ${fmt.dollars(a.llm_allowance_micros)} left`)),
          el('td', { class: 'num' }, last ? fmt.int(last.iteration) : '–'),
          el('td', { class: 'last' },
            el('div', { class: last && last.status === 'failed' ? 'bad' : last && last.status === 'invalid' ? 'bad' : '' }, lastText),
            el('div', { class: 'sub', title: last && last.summary ? last.summary : '' }, last ? fmt.json(last.summary || (last.error && last.error.message) || '', 90).replace(/^"|"$/g, '') : '')),
        ),
      );
    }
    for (const th of document.querySelectorAll('#agents-table th[data-sort]')) {
      th.classList.toggle('sorted', th.dataset.sort === key);
      th.dataset.dir = th.dataset.sort === key ? (dir > 0 ? 'asc' : 'desc') : '';
    }
  }

  for (const th of document.querySelectorAll('#agents-table th[data-sort]')) {
    th.addEventListener('click', () => {
      const key = th.dataset.sort;
      state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : key === 'id' || key === 'status' ? 1 : -1 };
      render();
    });
  }

  // ---- charts ----
  function renderCharts(m) {
    const key = JSON.stringify(m);
    if (key === state.chartsKey) return;
    state.chartsKey = key;
    const box = clear($('charts'));
    const w = m.windows;
    $('charts-empty').hidden = w.length > 0;
    $('charts-empty').textContent = `No metrics windows yet: the metrics-window schedule writes one every ${m.window_seconds} s.`;
    if (!w.length) return;
    const times = w.map((p) => p.window_end);
    const last = w[w.length - 1];
    const seconds = (p) => (new Date(p.window_end) - new Date(p.window_start)) / 1000;
    const capacity = w.map((p) => m.compute_rate_total * seconds(p));
    const used = w.map((p) => p.compute_spent);
    const pct = (a, b) => (b > 0 ? `${((100 * a) / b).toFixed(a / b < 0.001 ? 3 : a / b < 0.1 ? 2 : 1)}%` : '–');
    // A limit far above the data would flatten it to the axis: then it is named, not drawn.
    const onScale = (data, limit) => Math.max(...data) >= 0.05 * limit;
    const spent = w.map((p) => p.llm_cost_total_micros);
    const budgetShown = onScale(spent, m.budget_micros);
    const capacityShown = capacity.some((c, i) => c > 0 && used[i] >= 0.05 * c);
    const lastCapacity = capacity[capacity.length - 1];
    box.append(
      Eco.chart({ id: 'supply', title: 'Scrip supply', value: fmt.int(last.scrip_supply), note: 'scrip in circulation at each window\'s end, and what was minted in it', times,
        series: [{ name: 'supply', values: w.map((p) => p.scrip_supply), kind: 'line', color: '#2563eb' }, { name: 'minted in window', values: w.map((p) => p.minted), kind: 'bar', color: '#93c5fd' }] }),
      Eco.chart({ id: 'dollars', title: 'LLM dollars vs budget', value: `${fmt.dollars(last.llm_cost_total_micros)} of ${fmt.dollars(m.budget_micros)}`, times, format: fmt.dollars, tickFormat: fmt.dollarsShort,
        note: budgetShown ? 'spent so far against the system budget' : `${pct(last.llm_cost_total_micros, m.budget_micros)} of the ${fmt.dollars(m.budget_micros)} budget spent (the budget line is off this scale)`,
        series: [{ name: 'spent so far', values: spent, kind: 'line', color: '#7c3aed' }, { name: 'spent in window', values: w.map((p) => p.llm_cost_micros), kind: 'bar', color: '#c4b5fd' }],
        refs: budgetShown ? [{ name: 'budget', value: m.budget_micros, color: '#dc2626' }] : [] }),
      Eco.chart({ id: 'compute', title: 'Compute used vs capacity', value: `${fmt.compact(last.compute_spent)} CPU-ms · ${pct(last.compute_spent, lastCapacity)}`, times,
        note: capacityShown ? 'CPU-ms charged, against all compute rates over the window' : `CPU-ms charged; capacity (${fmt.compact(lastCapacity)} CPU-ms in the last window) is off this scale`,
        series: [{ name: 'CPU-ms charged', values: used, kind: 'bar', color: '#0d9488' }].concat(capacityShown ? [{ name: 'capacity', values: capacity, kind: 'line', color: '#94a3b8', dashed: true }] : []) }),
      Eco.chart({ id: 'debt', title: 'Debt', value: `${fmt.int(last.principals_in_debt)} principal${last.principals_in_debt === 1 ? '' : 's'} in debt`, note: 'how far buckets were below zero, and scrip owed on debt contracts, when each window was aggregated', times,
        series: [{ name: 'compute debt (CPU-ms)', values: w.map((p) => p.compute_debt), kind: 'bar', color: '#f87171' }, { name: 'LLM token debt', values: w.map((p) => p.llm_token_debt), kind: 'bar', color: '#fdba74' },
          { name: 'scrip owed on contracts', values: w.map((p) => p.scrip_debt), kind: 'bar', color: '#a78bfa' }] }),
      Eco.chart({ id: 'transfers', title: 'Transfer volume', value: `${fmt.int(last.transfer_volume)} scrip in ${fmt.int(last.transfer_count)} transfer${last.transfer_count === 1 ? "" : "s"}`, note: 'scrip moved in each window (issuance, trade; sealed bids and the oracle hold\'s payouts are left out)', times,
        series: [{ name: 'scrip moved', values: w.map((p) => p.transfer_volume), kind: 'bar', color: '#f59e0b' }] }),
      Eco.chart({ id: 'artifacts', title: 'Artifacts created', value: fmt.int(last.artifacts_created), note: 'new artifacts, and the agents\' finished actions, per window', times,
        series: [{ name: 'artifacts created', values: w.map((p) => p.artifacts_created), kind: 'bar', color: '#10b981' }, { name: 'actions', values: w.map((p) => p.actions), kind: 'line', color: '#475569' }] }),
      rightsChart(w, times),
    );
  }

  const RIGHT_COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#65a30d'];
  const unitPrice = (v) => String(Number(Number(v).toPrecision(3)));

  /** Price discovery: the average price per unit of each right sold, per window (no point where none sold). */
  function rightsChart(w, times) {
    const resources = [...new Set(w.flatMap((p) => Object.keys(p.rights || {})))].sort();
    const last = w[w.length - 1].rights || {};
    const sold = Object.keys(last).sort();
    return Eco.chart({ id: 'rights', title: 'Rights prices', times, format: unitPrice, tickFormat: unitPrice,
      value: sold.length ? sold.map((r) => `${r} ${unitPrice(last[r].last_unit_price)}`).join(' · ') : 'no rights sold in the last window',
      note: resources.length ? 'scrip paid per unit of each right sold through genesis_escrow, per window (the value: the last sale\'s price)' : 'no rights sold through genesis_escrow yet',
      series: resources.map((r, i) => ({ name: r, values: w.map((p) => (p.rights && p.rights[r] ? p.rights[r].unit_price : null)), kind: 'line', color: RIGHT_COLORS[i % RIGHT_COLORS.length] })) });
  }

  // ---- events ----
  function addEvents(list) {
    let added = false;
    for (const e of list) {
      if (state.eventSeqs.has(e.seq)) continue;
      state.eventSeqs.add(e.seq);
      state.events.push(e);
      added = true;
    }
    if (!added) return;
    state.events.sort((a, b) => b.seq - a.seq);
    if (state.events.length > MAX_EVENTS) {
      for (const e of state.events.splice(MAX_EVENTS)) state.eventSeqs.delete(e.seq);
    }
    const select = $('event-type');
    const known = new Set([...select.options].map((o) => o.value));
    for (const t of [...new Set(state.events.map((e) => e.type))].sort()) if (!known.has(t)) select.append(el('option', { value: t }, t));
    renderEvents();
  }

  function renderEvents() {
    const type = $('event-type').value;
    const q = $('event-search').value.trim().toLowerCase();
    const rows = state.events.filter((e) => (!type || e.type === type) && (!q || `${e.actor_id} ${e.subject_id} ${JSON.stringify(e.data)}`.toLowerCase().includes(q)));
    const body = clear($('events-table').tBodies[0]);
    const newest = state.lastSeenSeq || 0;
    for (const e of rows.slice(0, 300)) {
      body.append(
        el('tr', { dataset: { seq: String(e.seq), type: e.type }, class: e.seq > newest && newest > 0 ? 'fresh' : null },
          el('td', { class: 'num muted' }, e.seq),
          el('td', { class: 'muted nowrap' }, fmt.time(e.created_at)),
          el('td', {}, el('span', { class: `etype t-${e.type.replace(/[^a-z_]/g, '')}` }, e.type)),
          el('td', {}, e.actor_id || ''),
          el('td', {}, e.subject_id || ''),
          el('td', { class: 'data', title: fmt.json(e.data, 2000) }, fmt.json(e.data, 140)),
        ),
      );
    }
    state.lastSeenSeq = state.events.length ? state.events[0].seq : 0;
    $('event-count').textContent = `${rows.length} of the last ${state.events.length} events`;
  }
  $('event-type').addEventListener('change', renderEvents);
  $('event-search').addEventListener('input', renderEvents);

  /** Fills table `id` with one row(item) per item; with none, hides it and shows `<id>-empty` instead. */
  function fillTable(id, items, row) {
    const body = clear($(id).tBodies[0]);
    $(`${id}-empty`).hidden = items.length > 0;
    $(id).hidden = items.length === 0;
    for (const item of items) body.append(row(item));
  }

  // ---- escrow ----
  function renderEscrow(x) {
    fillTable('escrow-open', x.open, (l) => el('tr', { dataset: { listing: l.artifact_id } },
      el('td', {}, l.artifact_id), el('td', { class: 'muted' }, l.artifact_type || '–'), el('td', {}, l.seller_id),
      el('td', { class: 'num' }, fmt.int(l.price)), el('td', { class: 'muted' }, l.buyer_id || 'anyone'), el('td', { class: 'muted' }, fmt.relative(l.created_at))));
    fillTable('escrow-closed', x.closed, (l) => el('tr', {},
      el('td', {}, l.artifact_id), el('td', {}, l.seller_id), el('td', { class: 'num' }, fmt.int(l.price)),
      el('td', {}, el('span', { class: `pill ${l.status === 'sold' ? 'ok' : 'neutral'}` }, l.status)),
      el('td', {}, l.purchaser_id || '–'), el('td', { class: 'muted' }, fmt.relative(l.closed_at))));
  }

  // ---- bounties ----
  function renderBounties(x) {
    fillTable('bounties-open', x.open, (b) => el('tr', { dataset: { bounty: b.id } },
      el('td', {}, b.id), el('td', {}, b.poster), el('td', { class: 'num' }, fmt.int(b.reward)), el('td', { class: 'muted' }, b.mode),
      el('td', { class: 'muted', title: fmt.dateTime(b.deadline) }, fmt.relative(b.deadline)), el('td', { class: 'num' }, fmt.int(b.submissions)),
      el('td', { class: 'why', title: b.description }, b.description.slice(0, 120))));
    fillTable('bounties-closed', x.closed, (b) => el('tr', { dataset: { bounty: b.id } },
      el('td', {}, b.id), el('td', {}, b.poster), el('td', { class: 'num' }, fmt.int(b.reward)),
      el('td', {}, el('span', { class: `pill ${b.status === 'solved' ? 'ok' : 'neutral'}` }, b.status)),
      el('td', {}, b.winner ? `${b.winner} (${b.winning_artifact})` : '–'), el('td', { class: 'num' }, b.score === null ? '–' : String(b.score)),
      el('td', { class: 'muted' }, fmt.relative(b.closed_at))));
  }

  // ---- oracle ----
  function renderOracle(o) {
    $('oracle-status').textContent = o.enabled
      ? `Next resolution ${o.next_resolution_at ? `${fmt.relative(o.next_resolution_at)} (${fmt.dateTime(o.next_resolution_at)})` : 'not known yet'} · ${fmt.int(o.open_bids)} sealed bid${o.open_bids === 1 ? '' : 's'} open · ${o.slots} slot${o.slots === 1 ? '' : 's'}, minimum bid ${o.min_bid}, 1 scrip minted per ${o.mint_ratio} score point${o.mint_ratio === 1 ? '' : 's'}`
      : 'The oracle is switched off (bids are still held).';
    const box = clear($('resolutions'));
    $('oracle-empty').hidden = o.resolutions.length > 0;
    for (const r of o.resolutions) {
      const table = el('table', { class: 'grid compact' },
        el('thead', {}, el('tr', {}, el('th', { class: 'num' }, 'Slot'), el('th', {}, 'Winner'), el('th', {}, 'Artifact'), el('th', { class: 'num' }, 'Price'), el('th', { class: 'num' }, 'Score'), el('th', { class: 'num' }, 'Minted'), el('th', {}, 'Outcome'), el('th', {}, 'Why'))),
        el('tbody', {}, r.winners.map((w) => el('tr', {},
          el('td', { class: 'num' }, w.slot), el('td', {}, w.bidder), el('td', {}, w.artifact_id), el('td', { class: 'num' }, fmt.int(w.price)),
          el('td', { class: 'num' }, w.score === null ? '–' : el('span', { class: 'score' }, el('i', { style: `width:${Math.round(w.score / 2)}px` }), String(w.score))),
          el('td', { class: 'num' }, fmt.int(w.minted)),
          el('td', {}, el('span', { class: `pill ${w.state === 'minted' ? 'ok' : w.state === 'refunded' ? 'bad' : 'neutral'}` }, w.state)),
          el('td', { class: 'why', title: w.reason || w.error || '' }, fmt.json(w.reason || w.error || '', 120).replace(/^"|"$/g, ''))))));
      box.append(el('article', { class: 'resolution', dataset: { resolution: r.id } },
        el('header', {},
          el('h3', {}, fmt.dateTime(r.scheduled_at)),
          el('span', { class: `pill ${r.status === 'resolved' ? 'ok' : 'neutral'}` }, r.status),
          el('span', { class: 'muted' }, `${fmt.int(r.bid_count)} bid${r.bid_count === 1 ? '' : 's'} · UBI ${fmt.int(r.ubi.total)} scrip shared by ${fmt.int(r.ubi.agents)} agent${r.ubi.agents === 1 ? '' : 's'} (${fmt.int(r.ubi.per_agent)} each, ${fmt.int(r.ubi.remainder)} to the treasury)`)),
        r.winners.length ? table : el('p', { class: 'muted' }, 'No winner: no eligible bid.')));
    }
  }

  // ---- graph ----
  function renderGraph(g, agents) {
    const statuses = new Map(agents.map((a) => [a.id, a.state.status]));
    const key = JSON.stringify(g) + JSON.stringify([...statuses]);
    if (key === state.graphKey) return;
    state.graphKey = key;
    if (!g.nodes.length) {
      clear($('graph')).append(el('p', { class: 'empty' }, 'No artifacts yet.'));
    } else {
      Eco.graph.render($('graph'), g, (id) => statuses.get(id) || 'unknown');
    }
    if (!$('graph-legend').firstChild) Eco.graph.legend($('graph-legend'));
  }

  // ---- all ----
  function render() {
    const s = state.snap;
    if (!s) return;
    renderHeader(s.summary);
    // The visible view is drawn now; the others when shown (their inputs are kept).
    if (state.view === 'agents') renderAgents(s.agents);
    if (state.view === 'charts') renderCharts(s.metrics);
    if (state.view === 'escrow') renderEscrow(s.escrow);
    if (state.view === 'bounties') renderBounties(s.bounties);
    if (state.view === 'oracle') renderOracle(s.oracle);
    if (state.view === 'graph') renderGraph(s.graph, s.agents);
    document.body.dataset.ready = 'true';
    document.body.dataset.lastEventSeq = String(s.summary.last_event_seq);
  }

  function setLive(status, text) {
    const live = $('live');
    live.dataset.state = status;
    live.textContent = text;
  }

  function connect() {
    const source = new EventSource('/api/stream');
    source.addEventListener('open', () => setLive('live', 'live'));
    source.addEventListener('error', () => setLive('down', 'reconnecting…'));
    source.addEventListener('snapshot', (m) => {
      state.snap = JSON.parse(m.data);
      $('problem').hidden = true;
      setLive('live', 'live');
      render();
    });
    source.addEventListener('events', (m) => addEvents(JSON.parse(m.data)));
    source.addEventListener('problem', (m) => {
      const p = JSON.parse(m.data);
      $('problem').hidden = false;
      $('problem').textContent = `${p.message} (at ${fmt.time(p.at)}); showing the last good data.`;
    });
  }

  // With a token the data needs a session cookie: api/session answers 401 without one, and sets
  // it when asked with the token in a header (never in a URL).
  async function login() {
    if ((await fetch('/api/session', { credentials: 'same-origin' })).ok) return connect();
    $('login').hidden = false;
    setLive('down', 'log in');
    const go = async () => {
      const r = await fetch('/api/session', { credentials: 'same-origin', headers: { authorization: `Bearer ${$('login-token').value.trim()}` } });
      $('login-token').value = '';
      if (!r.ok) return void ($('login-error').textContent = 'wrong token');
      $('login').hidden = true;
      connect();
    };
    $('login-go').addEventListener('click', go);
    $('login-token').addEventListener('keydown', (e) => e.key === 'Enter' && go());
  }

  showView(location.hash.slice(1) || 'agents');
  login().catch(() => connect());
  // Relative times ("in 3 min") move on between snapshots.
  setInterval(() => state.snap && renderHeader(state.snap.summary), 1000);
})();
