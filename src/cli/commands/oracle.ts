import { listResolutions } from '../../oracle/queries';
import { oracleStatus } from '../../oracle/status';
import { describeScheduleOrNull } from '../../temporal/schedules';
import { UsageError, type Command } from '../command';
import { limitOption } from '../parse';
import { temporalOrReason } from './agents';

export const oracleCommand: Command = {
  name: 'oracle',
  usage: 'oracle [status|history] [--limit N]',
  summary: "the oracle: its schedule, next resolution and open bids (status, the default), or past resolutions' results (history)",
  valueOptions: ['limit'],
  async run(ctx) {
    const [sub = 'status', ...extra] = ctx.positionals;
    if ((sub !== 'status' && sub !== 'history') || extra.length > 0) throw new UsageError('expected: oracle [status|history]');
    const config = ctx.config();
    const pool = await ctx.pool();
    const db = await pool.connect();
    try {
      if (sub === 'history') {
        const limit = limitOption(ctx.options.limit, config.limits.defaultListLimit, config.limits.maxListLimit);
        const rows = await listResolutions(db, limit);
        const resolutions = rows.map((r) => ({
          id: r.id,
          scheduled_at: r.scheduled_at.toISOString(),
          resolved_at: r.resolved_at?.toISOString() ?? null,
          bid_count: r.bid_count,
          ubi_total: r.ubi_total,
          results: r.results,
        }));
        ctx.print(
          { ok: true, resolutions },
          resolutions.map((r) => `${r.id}  bids ${r.bid_count}  ubi ${r.ubi_total}  ${JSON.stringify(r.results).slice(0, 200)}`).join('\n') || 'no resolutions yet',
        );
        return 0;
      }
      const status = await oracleStatus(db, config);
      const { client, reason } = await temporalOrReason(ctx);
      let schedule: Record<string, unknown> | null = null;
      if (client) {
        const d = await describeScheduleOrNull(client, config.oracle.scheduleId);
        schedule = d
          ? { schedule_id: config.oracle.scheduleId, paused: d.state.paused, next_action_times: d.info.nextActionTimes.map((t) => t.toISOString()), recent_actions: d.info.recentActions.length }
          : { schedule_id: config.oracle.scheduleId, missing: true };
      }
      ctx.print({ ok: true, status, schedule, ...(reason ? { temporal_error: reason } : {}) }, [
        `oracle ${status.enabled ? 'enabled' : 'disabled'}; every ${status.schedule.interval_seconds ?? status.schedule.cron} ${status.schedule.interval_seconds ? 's' : ''}`,
        `next resolution: ${status.next_resolution_at ?? '-'}; open bids: ${status.open_bids}; slots ${status.slots}, min bid ${status.min_bid}, mint ratio ${status.mint_ratio}`,
        `last resolution: ${status.last_resolution ? `${status.last_resolution.resolution_id} (${status.last_resolution.status})` : 'none'}`,
        schedule ? `schedule ${config.oracle.scheduleId}: ${schedule.missing ? 'MISSING (run "ecology up" or "ecology bootstrap")' : schedule.paused ? 'paused' : 'active'}` : `schedule: unknown (${reason})`,
      ].join('\n'));
      return 0;
    } finally {
      db.release();
    }
  },
};
