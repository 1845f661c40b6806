/**
 * Posting a suite (`ecology bounties load`), as the poster, through invoke() like any CLI call. For
 * each bounty, in the suite's order:
 *
 *   1. genesis_bounty.check {bounty_id}: a bounty with that id exists -> `already_posted`, nothing done;
 *   2. genesis_store.write: the checker artifact (owned by the poster, genesis_private);
 *   3. genesis_bounty.post {id, description, checker, reward, deadline_seconds, mode?}.
 *
 * Steps 2 and 3 use keys derived from the suite and the bounty (`cli:suite:<suite>:<bounty>:post:<n>`:
 * "cli:" is reserved, so no caller's key can equal one), so loading twice posts nothing twice, and a
 * load that died half-way replays what it did. An attempt that failed (the poster lacked scrip...)
 * keeps its failure under its key: the next load tries again under the next `<n>`. The bounty id is
 * unique in any case, so a second post of it fails ALREADY_EXISTS, reported as `already_posted`.
 */
import type { ErrorInfo } from '../errors';
import type { Outcome } from '../genesis/dispatch';
import { CONTRACTS } from '../ids';
import type { Suite } from '../bounties/suite';

export interface GenesisCall {
  artifactId: string;
  method: string;
  args: Record<string, unknown>;
}

/** What loading one bounty does: its three calls, and where their keys start. */
export interface PlannedBounty {
  id: string;
  reward: number;
  deadlineMinutes: number;
  lookup: GenesisCall;
  checker: GenesisCall;
  post: GenesisCall;
  keyBase: string;
}

/** invoke() as the loader uses it (injected: the CLI passes the real one, tests a recorder). */
export type CallAs = (req: GenesisCall & { caller: string; key: string }) => Promise<Outcome>;

export interface LoadedBounty {
  id: string;
  status: 'posted' | 'already_posted' | 'failed';
  reward: number;
  /** ISO time, from the service; null when unknown (failed). */
  deadline: string | null;
  /** Who posted it, when it was already posted (maybe someone else). */
  poster?: string;
  error?: ErrorInfo;
}

export const suiteKeyBase = (suite: string, bountyId: string) => `cli:suite:${suite}:${bountyId}`;

export function planSuiteLoad(suite: Suite): PlannedBounty[] {
  return suite.bounties.map((b) => ({
    id: b.id,
    reward: b.reward,
    deadlineMinutes: b.deadlineMinutes,
    keyBase: suiteKeyBase(suite.name, b.id),
    lookup: { artifactId: 'genesis_bounty', method: 'check', args: { bounty_id: b.id } },
    checker: {
      artifactId: 'genesis_store',
      method: 'write',
      args: {
        id: b.checkerId,
        type: 'checker',
        code: b.checkerCode,
        can_execute: true,
        access_contract_id: CONTRACTS.private,
        content: { description: `checker of bounty ${b.id} (suite ${suite.name}, ${b.checkerSource})`, suite: suite.name, bounty_id: b.id },
      },
    },
    post: {
      artifactId: 'genesis_bounty',
      method: 'post',
      // deadline_seconds, not a time: the same arguments at every load, so a repeat replays.
      args: { id: b.id, description: b.description, checker: b.checkerId, reward: b.reward, deadline_seconds: b.deadlineMinutes * 60, ...(b.mode ? { mode: b.mode } : {}) },
    },
  }));
}

/** Loads the planned bounties one after the other; `lookupKey` makes the key of each (read-only) lookup. */
export async function loadSuite(plan: PlannedBounty[], poster: string, call: CallAs, lookupKey: () => string): Promise<LoadedBounty[]> {
  const out: LoadedBounty[] = [];
  for (const b of plan) out.push(await loadOne(b, poster, call, lookupKey));
  return out;
}

async function loadOne(b: PlannedBounty, poster: string, call: CallAs, lookupKey: () => string): Promise<LoadedBounty> {
  const failed = (o: Outcome & { ok: false }): LoadedBounty => ({ id: b.id, status: 'failed', reward: b.reward, deadline: null, error: { code: o.error.code, message: o.error.message } });
  const existing = await call({ ...b.lookup, caller: poster, key: lookupKey() });
  if (existing.ok) return alreadyPosted(b, existing.result);
  if (existing.error.code !== 'NOT_FOUND') return failed(existing);

  const checker = await attempt(b.checker, `${b.keyBase}:checker`, poster, call);
  if (!checker.ok) return failed(checker);
  const post = await attempt(b.post, `${b.keyBase}:post`, poster, call);
  if (post.ok) return post.replayed ? alreadyPosted(b, post.result) : { id: b.id, status: 'posted', reward: b.reward, deadline: field(post.result, 'deadline') };
  if (post.error.code === 'ALREADY_EXISTS') return { id: b.id, status: 'already_posted', reward: b.reward, deadline: null };
  return failed(post);
}

/**
 * The call under `<prefix>:1`, `:2`...: the first key not used yet, or whose earlier attempt
 * succeeded (replayed). Skipped: attempts that failed, and keys used with other arguments (the
 * suite file changed since; nothing was posted, or step 1 would have found it).
 */
async function attempt(c: GenesisCall, prefix: string, poster: string, call: CallAs): Promise<Outcome> {
  for (let n = 1; ; n++) {
    const o = await call({ ...c, caller: poster, key: `${prefix}:${n}` });
    const spent = !o.ok && (o.replayed || o.error.code === 'IDEMPOTENCY_CONFLICT');
    if (!spent) return o;
  }
}

function alreadyPosted(b: PlannedBounty, view: unknown): LoadedBounty {
  const poster = field(view, 'poster');
  return { id: b.id, status: 'already_posted', reward: Number(field(view, 'reward') ?? b.reward), deadline: field(view, 'deadline'), ...(poster ? { poster } : {}) };
}

/** A string field of a service's answer, or null. */
function field(view: unknown, name: string): string | null {
  const v = view !== null && typeof view === 'object' ? (view as Record<string, unknown>)[name] : undefined;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
}
