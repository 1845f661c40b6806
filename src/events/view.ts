/** An events row as prompts and the dashboard show it: the time as ISO-8601 text. */
export interface EventView {
  seq: number;
  type: string;
  actor_id: string | null;
  subject_id: string | null;
  data: unknown;
  /** ISO-8601. */
  created_at: string;
}
