/**
 * The dashboard in a real headless Chromium against a live ecology (PostgreSQL, agents running on
 * the Temporal dev server with the fake LLM): the page loads and shows the seeded agents with their
 * workflow state, follows money and agents' actions without reloading, and draws every view. A
 * screenshot of each view is saved to .data/screenshots/ for people to look at.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { execFile } from 'node:child_process';
import { loadConfig } from '../../src/config/load';
import { startDashboard, type Dashboard } from '../../src/dashboard/server';
import { aggregateWindow } from '../../src/metrics/aggregate';
import { launchBrowser, type TestBrowser } from './support/browser';
import { AGENTS, IDS, seedEcology, type SeededEcology } from './support/seed';

// Functions run in the page use the DOM's globals, typed loosely: the project compiles without the DOM library.
declare const document: any;
declare const window: any;

const SHOTS = join(process.env.ECOLOGY_DATA_DIR ?? join(__dirname, '..', '..', '.data'), 'screenshots');

const UI_PORT = 18233;
let eco: SeededEcology;
let dash: Dashboard;
let browser: TestBrowser;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  eco = await seedEcology({ dashboard: { pollIntervalMs: 500, slowPollIntervalMs: 1000, minSnapshotGapMs: 100 } });
  // The Temporal UI where the scripts' port variable says it is (not the default 8233).
  const ui = loadConfig({ env: { ECOLOGY_TEMPORAL_UI_PORT: String(UI_PORT) } }).dashboard.temporalUiUrl;
  const config = { ...eco.w.config, dashboard: { ...eco.w.config.dashboard, temporalUiUrl: ui } };
  dash = await startDashboard({ pool: eco.w.pool, config, temporalClient: eco.w.client, port: 0, log: () => undefined });
  browser = await launchBrowser();
  page = await browser.newPage();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await dash?.close();
  await eco?.close();
});

const row = (id: string) => page.locator(`#agents-table tr[data-agent="${id}"]`);
const scripOnPage = async (id: string) => Number(await row(id).locator('td.scrip').getAttribute('data-scrip'));
const scripInDb = (id: string) => eco.w.scrip(id);

async function showView(name: string): Promise<void> {
  await page.click(`#tabs a[data-view="${name}"]`);
  await page.waitForSelector(`#view-${name}:not([hidden])`);
}

async function shoot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `dashboard-${name}.png`), fullPage: true });
}

test('the page loads and shows the seeded agents with balances, debt, dollars and workflow state', async () => {
  await page.goto(dash.url);
  await page.waitForSelector('body[data-ready="true"]');
  await page.waitForSelector('#live[data-state="live"]');

  expect(await page.locator('#agents-table tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-agent')))).toEqual([...AGENTS].sort());
  for (const id of AGENTS) expect(await scripOnPage(id)).toBe(await scripInDb(id));

  // Status from each workflow's `state` query, and a link to it in the Temporal UI.
  // esme gave away her whole compute rate: a debt nothing refills, which needs help.
  await page.waitForFunction(() => document.querySelector('tr[data-agent="esme"] .pill')?.textContent === 'stuck-in-debt');
  expect(await row(IDS.ada).locator('.pill').textContent()).toBe('sleeping');
  expect(await row(IDS.cleo).locator('.pill').textContent()).toBe('sleeping');
  expect(await row(IDS.cleo).textContent()).toContain('waiting for event purchase');
  expect(await row(IDS.esme).locator('td.debt').count()).toBeGreaterThan(0);
  for (const id of AGENTS) expect(await row(id).locator('a.agent-link').getAttribute('href')).toBe(`http://127.0.0.1:${UI_PORT}/namespaces/default/workflows/agent-${id}`);
  // Every agent thought through the fake LLM and paid for it.
  expect(await row(IDS.ada).textContent()).toMatch(/\$0\.\d+/);

  // The header: supply, dollars against the budget, agents by status.
  const supply = -(await scripInDb('mint'));
  expect(await page.textContent('#supply')).toBe(supply.toLocaleString('en-US'));
  expect(await page.textContent('#budget')).toBe('$10.00');
  expect(await page.locator('#status-chips .chip[data-status="stuck-in-debt"]').textContent()).toBe('stuck-in-debt 1');
  expect(await page.textContent('#in-debt')).toBe('1');
  await shoot('agents');
});

test('the page follows a transfer and an agent acting, without reloading', async () => {
  await page.evaluate(() => (window.sameDocument = true));
  const before = await scripOnPage(IDS.basil);

  // An operator-style transfer through dispatch: the new balance and its event appear.
  const out = await eco.w.call(IDS.ada, 'genesis_ledger', 'transfer', { to: IDS.basil, amount: 7, memo: 'live' });
  expect(out.ok).toBe(true);
  await page.waitForFunction(({ id, v }) => document.querySelector(`tr[data-agent="${id}"] td.scrip`)?.getAttribute('data-scrip') === String(v), { id: IDS.basil, v: before + 7 });

  // basil buys cleo's poem; the purchase wakes cleo, whose own loop then pays ada.
  const cleoIteration = Number(await row(IDS.cleo).locator('td.num').nth(4).textContent());
  expect((await eco.w.call(IDS.basil, 'genesis_escrow', 'purchase', { artifact_id: 'cleo_poem' })).ok).toBe(true);
  await showView('events');
  await page.waitForSelector('#events-table tr[data-type="purchase"]');
  await page.waitForFunction(() =>
    [...document.querySelectorAll('#events-table tr[data-type="transfer"]')].some((tr: any) => tr.children[3]?.textContent === 'cleo' && tr.children[4]?.textContent === 'ada'),
  );
  await shoot('events');

  await showView('agents');
  await page.waitForFunction(({ n }) => Number(document.querySelectorAll('tr[data-agent="cleo"] td.num')[4]?.textContent) > n, { n: cleoIteration });
  for (const id of AGENTS) {
    await page.waitForFunction(({ id, v }) => document.querySelector(`tr[data-agent="${id}"] td.scrip`)?.getAttribute('data-scrip') === String(v), { id, v: await scripInDb(id) });
  }
  expect(await page.evaluate(() => window.sameDocument)).toBe(true);
});

test('the charts draw the metrics windows', async () => {
  await showView('charts');
  await page.waitForSelector('.chart-card svg');
  const charts = await page.locator('.chart-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-chart')));
  expect(charts).toEqual(['supply', 'dollars', 'compute', 'debt', 'transfers', 'artifacts', 'rights']);
  const windows = Number((await eco.w.pool.query('SELECT count(*)::int AS n FROM metrics_windows')).rows[0].n);
  expect(windows).toBeGreaterThanOrEqual(5);
  // One point per window on the supply line.
  expect(await page.locator('[data-chart="supply"] svg circle').count()).toBe(windows);
  await shoot('charts');
});

test('escrow shows open and closed listings', async () => {
  await showView('escrow');
  await page.waitForSelector('#escrow-closed tbody tr');
  expect(await page.locator('#escrow-open tbody tr').allTextContents()).toEqual([expect.stringMatching(/^dmitri_atlas.*dmitri.*45.*cleo/)]);
  const closed = await page.locator('#escrow-closed tbody tr').allTextContents();
  expect(closed.some((t) => t.includes('dmitri_map') && t.includes('sold') && t.includes('ada'))).toBe(true);
  expect(closed.some((t) => t.includes('cleo_poem') && t.includes('sold') && t.includes('basil'))).toBe(true);
  await shoot('escrow');
});

test('bounties shows the open ones', async () => {
  // Posted without a worker's hook (no deadline timer here); the page shows it as it is.
  expect((await eco.w.call(IDS.cleo, 'genesis_store', 'create', { id: 'cleo_check', type: 'checker', code: 'export function run() { return { pass: false, score: 0 } }', can_execute: true })).ok).toBe(true);
  expect((await eco.w.call(IDS.cleo, 'genesis_bounty', 'post', { id: 'cleo_rhyme', description: 'A rhyme for orange', checker: 'cleo_check', reward: 12, deadline_seconds: 3600 })).ok).toBe(true);
  await showView('bounties');
  await page.waitForSelector('#bounties-open tr[data-bounty="cleo_rhyme"]');
  expect(await page.locator('#bounties-open tbody tr').allTextContents()).toEqual([expect.stringMatching(/^cleo_rhyme.*cleo.*12.*first.*A rhyme for orange/)]);
  await shoot('bounties');
});

test('the oracle shows resolutions with winners, prices and scores', async () => {
  await showView('oracle');
  const card = page.locator(`article.resolution[data-resolution="${eco.resolutionId}"]`);
  await card.waitFor();
  const text = await card.textContent();
  expect(text).toContain('ada_adder');
  expect(text).toContain('72');
  expect(text).toContain('minted');
  expect(await page.textContent('#oracle-status')).toContain('Next resolution');
  await shoot('oracle');
});

test('the graph shows who owns and who invokes whose artifacts', async () => {
  await showView('graph');
  await page.waitForSelector('svg.graph');
  const nodes = await page.locator('svg.graph g.node').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-id')));
  for (const id of [...AGENTS, IDS.fund, 'ada_adder', 'basil_summarizer', 'ada_haiku']) expect(nodes).toContain(id);
  const titles = await page.locator('svg.graph line.invoke title').allTextContents();
  expect(titles.some((t) => t.startsWith('basil invoked ada_adder: 3 call(s)'))).toBe(true);
  await shoot('graph');
});

test('with a token the page asks for it once, then reads through an HttpOnly cookie; no request carries it in its URL', async () => {
  const TOKEN = 'browser-test-token-0123456789abcdef';
  const guarded = await startDashboard({ pool: eco.w.pool, config: eco.w.config, temporalClient: eco.w.client, port: 0, token: TOKEN, log: () => undefined });
  const p = await browser.newPage();
  const urls: string[] = [];
  p.on('request', (r) => void urls.push(r.url()));
  try {
    await p.goto(guarded.url);
    await p.waitForSelector('#login:not([hidden])');
    expect(await p.getAttribute('body', 'data-ready')).toBeNull();
    await p.fill('#login-token', 'a-wrong-token-a-wrong-token');
    await p.click('#login-go');
    await p.waitForFunction(() => document.querySelector('#login-error')?.textContent === 'wrong token');
    await p.fill('#login-token', TOKEN);
    await p.click('#login-go');
    await p.waitForSelector('body[data-ready="true"]');
    expect(await p.isHidden('#login')).toBe(true);
    expect(await p.evaluate(() => document.cookie)).toBe(''); // HttpOnly: scripts cannot read it
    expect(urls.length).toBeGreaterThan(3);
    expect(urls.filter((u) => u.includes(TOKEN) || /[?&]token=/.test(u))).toEqual([]);
  } finally {
    await p.close();
    await guarded.close();
  }
});

/** `ecology metrics --json` against the seeded database: the newest window first. */
function cliMetrics(): Promise<Array<{ principals_in_debt: number }>> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: eco.w.config.database.url };
  delete env.ECOLOGY_CONFIG;
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [join(__dirname, '..', '..', 'bin', 'ecology.cjs'), 'metrics', '--json', '--limit', '1'], { env, timeout: 60_000 }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout.trim())))),
  );
}

// Last: it leaves ada in LLM-token debt.
test('the debt card, the debt chart and `ecology metrics` count the same principals in debt', async () => {
  // ada in LLM-token debt (a think charged past zero) next to esme's compute debt.
  const from = new Date();
  await eco.w.pool.query(`UPDATE buckets SET balance = -1000000000, updated_at = now() WHERE principal_id = $1 AND resource = 'llm_tokens'`, [IDS.ada]);
  await eco.w.pool.query(`INSERT INTO buckets (principal_id, resource, balance) VALUES ($1, 'llm_tokens', -1000000000) ON CONFLICT DO NOTHING`, [IDS.ada]);
  await aggregateWindow(eco.w.pool, { start: from, end: new Date(from.getTime() + 1000) });
  const [newest] = await cliMetrics();
  expect(newest!.principals_in_debt).toBe(2);
  await showView('agents');
  await page.waitForFunction(() => document.querySelector('#in-debt')?.textContent === '2');
  await showView('charts');
  await page.waitForFunction(() => (document.querySelector('[data-chart="debt"]')?.textContent ?? '').includes('2 principals in debt'));
});
