import { type PreparePlan, type PrepareResult, type PrepareService } from '@relkit/release-core';
import { connectPrepare } from '@relkit/connect';
import {
  ExitCode,
  UsageError,
  configOption,
  connectOptions,
  timeoutOption,
  versionArgument,
  type CliContext,
  type Command,
  type ParsedArgs,
} from '../command.js';
import { lockHolder, paint, renderEvent, renderGatesAndSteps, styleFor, type Style } from '../render.js';
import { emitReport, reportRefusal } from '../report.js';

async function prepareService(args: ParsedArgs, ctx: CliContext): Promise<PrepareService> {
  const connect = ctx.connectPrepare ?? connectPrepare;
  return connect(connectOptions(args, ctx));
}

export function renderPreparePlan(plan: PreparePlan, s: Style): string {
  const lines = [
    paint(
      s,
      1,
      `prepare ${plan.version} (${plan.integrationBranch} → ${plan.releaseBranch} → ${plan.baseBranch})`,
    ),
  ];
  lines.push(...renderGatesAndSteps(plan.gates, plan.steps, s));
  return `${lines.join('\n')}\n`;
}

function renderPrepareResult(plan: PreparePlan, r: PrepareResult, s: Style): string {
  const done = r.journal.filter((j) => j.status === 'done').length;
  const skipped = r.journal.filter((j) => j.status === 'skipped').length;
  const head =
    r.status === 'succeeded'
      ? paint(s, 32, `prepared ${r.version}`)
      : paint(s, 31, `prepare ${r.version} failed: ${r.error?.message ?? ''}`);
  const lines = [`${head} — ${done} step(s) done, ${skipped} already done`];
  if (r.sha) lines.push(`  ${plan.releaseBranch} starts at: ${r.sha}`);
  if (r.pullRequest) lines.push(`  draft release PR: ${r.pullRequest.url}`);
  if (r.status === 'failed')
    lines.push('Run the same command again to resume: steps already done are skipped.');
  else lines.push(`  next: test ${plan.releaseBranch}, then: release-cli publish ${r.version} --candidate`);
  return `${lines.join('\n')}\n`;
}

const prepare: Command = {
  path: ['prepare'],
  summary: 'cut a release: freeze the CHANGELOG, create release/X.Y.Z, open the draft release PR',
  usage: 'prepare <version> [--dry-run] [--yes] [--json] [--timeout S] [--config F]',
  help: `Gitflow's first phase, all through the GitHub API (no local git commit):
  1. freezes the Unreleased entries of the CHANGELOG as "## [X.Y.Z] - TBD" on the integration branch
     (integrationBranch in release.config.json; default: the base branch) by an API commit made with
     the commit token, on the head it observed (a push in between is never overwritten);
  2. creates release/X.Y.Z at that commit;
  3. opens the release PR release/X.Y.Z → base branch as a draft, its body the frozen section.
Trunk-based (integrationBranch = base branch), release/X.Y.Z is cut first and the freeze goes onto it.
Checks first: X.Y.Z is newer than the latest release; the release branch and the tag do not exist
yet; Unreleased has entries; the integration branch exists. Every step is idempotent: a re-run
resumes where a failed one stopped and is a no-op when everything is done.
Options:
  --dry-run        show the checks and the plan; change nothing
  -y, --yes        do not ask for confirmation (required when not on a terminal)
  --json           machine-readable plan and journal
  --timeout S      seconds each GitHub operation may take, retries included (default 60, or
                   RELKIT_TIMEOUT)
  -c, --config F   path of release.config.json
Exit codes: 0 done, 1 failed, 2 usage, 3 a check is not met, 4 lock held.`,
  options: {
    ...configOption,
    ...timeoutOption,
    json: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
  },
  positionals: [1, 1],
  async run(args, ctx) {
    const version = versionArgument(args.positionals[0]!, { final: true });
    const json = args.values.json === true;
    const style = styleFor(ctx.env, ctx.isTTY);
    try {
      const svc = await prepareService(args, ctx);
      const plan = await svc.plan(version, { signal: ctx.signal });
      if (!json) ctx.stdout(renderPreparePlan(plan, style));
      if (args.values['dry-run']) {
        emitReport(ctx, json, { command: 'prepare', dryRun: true, plan });
        return plan.verdict === 'pass' ? ExitCode.ok : ExitCode.gateNotMet;
      }
      if (plan.verdict !== 'pass') {
        emitReport(ctx, json, { command: 'prepare', plan, error: { code: 'GATE_NOT_MET' } });
        if (!json) ctx.stderr('prepare refused: the checks above are not met; nothing was changed\n');
        return plan.gates.some((g) => g.couldNotLook) ? ExitCode.failed : ExitCode.gateNotMet;
      }
      if (plan.steps.every((s) => s.done)) {
        const result: PrepareResult = {
          kind: 'prepare',
          version: plan.version,
          status: 'succeeded',
          journal: [],
        };
        emitReport(ctx, json, { command: 'prepare', plan, result });
        if (!json) ctx.stdout('nothing to do: every step is already done\n');
        return ExitCode.ok;
      }
      if (!args.values.yes) {
        if (!ctx.isTTY || !ctx.prompt)
          throw new UsageError('not a terminal: pass --yes to prepare without a confirmation prompt');
        const answer = await ctx.prompt(
          `prepare ${plan.version}: run these ${plan.steps.length} step(s)? [y/N] `,
        );
        if (!/^y(es)?$/i.test(answer.trim())) {
          ctx.stderr('cancelled; nothing was changed\n');
          return ExitCode.failed;
        }
      }
      const result = await svc.execute(plan, {
        signal: ctx.signal,
        holder: lockHolder(ctx.env),
        onEvent: (e) => {
          if (json) return;
          const line = renderEvent(e, style);
          if (line !== undefined) ctx.stdout(`${line}\n`);
        },
      });
      emitReport(ctx, json, { command: 'prepare', plan, result });
      if (!json) ctx.stdout(renderPrepareResult(plan, result, style));
      if (result.status === 'succeeded') return ExitCode.ok;
      return result.error?.code === 'GATE_NOT_MET' ? ExitCode.gateNotMet : ExitCode.failed;
    } catch (e) {
      return reportRefusal(ctx, json, 'prepare', e);
    }
  },
};

export const prepareCommands: readonly Command[] = [prepare];
