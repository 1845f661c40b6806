import type { BountyRow, SubmissionRow } from './queries';

/** A bounty as callers, the dashboard and the CLI see it (the checker's id, never its code). */
export function bountyView(b: BountyRow) {
  return {
    bounty_id: b.id,
    poster: b.poster,
    description: b.description,
    checker: b.checker_id,
    reward: b.reward,
    deadline: b.deadline,
    mode: b.mode,
    status: b.status,
    winner: b.winner,
    winning_artifact: b.winning_artifact,
    score: b.score,
    posted_at: b.posted_at,
    closed_at: b.closed_at,
  };
}

/** A submission with its result: the checker's verdict only, never its output or logs. */
export function submissionView(s: SubmissionRow) {
  return {
    submission_id: s.id,
    bounty_id: s.bounty_id,
    submitter: s.submitter,
    artifact_id: s.artifact_id,
    status: s.status,
    score: s.score,
    cpu_ms: s.cpu_ms,
    error: s.error_code,
    submitted_at: s.submitted_at,
    checked_at: s.checked_at,
  };
}
