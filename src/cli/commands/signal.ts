import { agentWorkflowId } from '../../agents/types';
import { notFound } from '../../errors';
import { signalAgent } from '../../temporal/agentWorkflows';
import { UsageError, type Command } from '../command';
import { agentSignals } from '../../agents/signals';

const WHAT: Record<'wake' | 'pause' | 'resume' | 'stop', string> = {
  wake: 'end the agent\'s sleep (or debt wait) now',
  pause: 'pause the agent after its current step (resume continues it)',
  resume: 'resume a paused agent',
  stop: "stop the agent: its workflow finishes (a later 'ecology up' or bootstrap starts it again)",
};

/** `ecology wake|pause|resume|stop <id>`: the agent workflow's signals (SPEC section 8). */
function signalCommand(signal: keyof typeof WHAT): Command {
  return {
    name: signal,
    usage: `${signal} <id>`,
    summary: WHAT[signal],
    async run(ctx) {
      const [id] = ctx.positionals;
      if (!id || ctx.positionals.length > 1) throw new UsageError(`expected: ${signal} <id>`);
      const sent = await signalAgent(await ctx.temporal(), id, agentSignals[signal]);
      if (!sent) throw notFound(`no running workflow ${agentWorkflowId(id)}; "ecology agents" lists the agents and their status`);
      ctx.print({ ok: true, id, signal, workflow_id: agentWorkflowId(id) }, `sent ${signal} to ${agentWorkflowId(id)}`);
      return 0;
    },
  };
}

export const wakeCommand = signalCommand('wake');
export const pauseCommand = signalCommand('pause');
export const resumeCommand = signalCommand('resume');
export const stopCommand = signalCommand('stop');
