import {
  anyCouldNotLook,
  awaitableGates,
  ReleaseError,
  validLockTtl,
  type UnlockResult,
  type RunOptions,
  type ExecutionEvent,
  type ExecutionResult,
  type Plan,
  type ReleaseService,
} from '@relkit/release-core';
import { connectRelease } from '@relkit/connect';
import {
  ExitCode,
  UsageError,
  configOption,
  connectOptions,
  stringOption,
  timeoutOption,
  versionArgument,
  writeJson,
  type CliContext,
  type Command,
  type ParsedArgs,
} from '../command.js';
import { emitReport, refusal, refusalExit, type ReportedError } from '../report.js';
import { awaitSettling, waitSeconds } from '../settling.js';
import { waitingFor, watchSilence, type SilenceWatch } from '../waiting.js';
import { lockHolder, renderEvent, renderPlan, renderResult, renderStatus, styleFor } from '../render.js';

/**
 * Every execution event of a promote, rollback or abandon is published on the diagnostics
 * channel `relkit:execution` (node:diagnostics_channel), for tracing tools. Nothing listens
 * unless a preload subscribes: the crash-resume tests kill the process from one
 * (src/e2e/crash-after.mjs), so no test hook ships in the CLI.
 */
const executionChannel = process.getBuiltinModule('node:diagnostics_channel').channel('relkit:execution');

async function service(args: ParsedArgs, ctx: CliContext): Promise<ReleaseService> {
  const connect = ctx.connect ?? connectRelease;
  return connect(connectOptions(args, ctx));
}

/**
 * --lock-ttl SECONDS (else RELKIT_LOCK_TTL_SECONDS, else core's 90 s): the lease of the release
 * lock, renewed every third of it while the run lives, so a crashed run blocks others that long.
 */
function lockTtl(args: ParsedArgs, ctx: CliContext): number | undefined {
  const raw = stringOption(args, 'lock-ttl') ?? ctx.env.RELKIT_LOCK_TTL_SECONDS;
  if (raw === undefined || raw === '') return undefined;
  const ttl = Number(raw);
  if (!validLockTtl(ttl)) throw new UsageError(`--lock-ttl takes 1 to 86400 seconds, not "${raw}"`);
  return ttl;
}

/** Lock holder (this user, host and process, or the Actions run) and lease. */
function execOptions(args: ParsedArgs, ctx: CliContext) {
  const ttl = lockTtl(args, ctx);
  return {
    signal: ctx.signal,
    holder: lockHolder(ctx.env),
    ...(ttl !== undefined ? { lockTtlSeconds: ttl } : {}),
  };
}

/**
 * Gates not passing because something could not be looked at (network, 401, rate limit): exit 1
 * saying what, never 3 ("not met"), which is only for gates that were evaluated.
 */
function couldNotLookExit(
  ctx: CliContext,
  json: boolean,
  gates: readonly { title: string; reason: string; couldNotLook?: true | undefined }[],
): ExitCode | undefined {
  if (!anyCouldNotLook(gates)) return undefined;
  if (!json) {
    const lines = gates.filter((g) => g.couldNotLook).map((g) => `  ${g.title}: ${g.reason}`);
    ctx.stderr(`could not evaluate every gate; nothing was decided:\n${lines.join('\n')}\n`);
  }
  return ExitCode.failed;
}

/**
 * Shared flow of promote, rollback and abandon: plan → show → confirm → execute → summary.
 * The decisions are core's; this only renders and asks. With --yes the world is observed once:
 * the plan is shown as the engine makes it, right before its first step.
 */
async function runPlan(
  command: 'promote' | 'rollback' | 'abandon',
  args: ParsedArgs,
  ctx: CliContext,
  makePlan: (svc: ReleaseService) => Promise<Plan>,
  run: (svc: ReleaseService, options: RunOptions) => Promise<ExecutionResult>,
): Promise<ExitCode> {
  if (command !== 'rollback') versionArgument(args.positionals[0]);
  lockTtl(args, ctx); // a bad --lock-ttl is a usage error before any token or network
  const style = styleFor(ctx.env, ctx.isTTY);
  const json = args.values.json === true;
  let shown: Plan | undefined;
  const show = (plan: Plan) => {
    shown = plan;
    if (json) return;
    if (plan.gates.length > 0) {
      const blocking = plan.gates.filter((g) => g.status !== 'pass');
      ctx.stdout(
        blocking.length === 0
          ? `all ${plan.gates.length} gates pass\n`
          : `${blocking.length} gate(s) not met:\n${blocking.map((g) => `  ${g.status === 'fail' ? '✗' : '…'} ${g.title}${g.subject ? ` [${g.subject}]` : ''}: ${g.reason}`).join('\n')}\n`,
      );
    }
    if (plan.verdict !== 'pass' && plan.steps.length === 0) {
      // No plan is made past unmet gates: say so rather than "0 step(s), nothing to do".
      ctx.stdout(`${plan.kind} ${plan.version}: refused until the gates above are met\n`);
      return;
    }
    ctx.stdout(renderPlan(plan, style));
    if (plan.verdict === 'pass' && plan.steps.every((s) => s.done)) {
      ctx.stdout('nothing to do: every step is already done\n');
    }
  };
  try {
    const svc = await service(args, ctx);
    // Promote waits for what settles by itself (checks running, mergeability computing).
    const waitMs = command === 'promote' && !args.values['dry-run'] ? waitSeconds(args) * 1000 : 0;
    const started = Date.now();
    if (args.values['dry-run'] || !args.values.yes) {
      let plan = await waitingFor(ctx, 'the registry and GitHub', makePlan(svc));
      for (let attempt = 0; ; attempt++) {
        const awaited = awaitableGates(plan.gates);
        if (!awaited || !(await awaitSettling(ctx, awaited, started, waitMs, attempt))) break;
        plan = await waitingFor(ctx, 'the registry and GitHub', makePlan(svc));
      }
      show(plan);
      if (args.values['dry-run']) {
        emitReport(
          ctx,
          json,
          { command, dryRun: true, plan },
          plan.verdict === 'pass' ? undefined : refusal(plan.gates),
        );
        if (plan.verdict === 'pass') return ExitCode.ok;
        const unlooked = couldNotLookExit(ctx, json, plan.gates);
        if (unlooked !== undefined) return unlooked;
        if (!json)
          ctx.stderr(`${plan.kind} refused: the gates above are not met (dry run; nothing was changed)\n`);
        return ExitCode.gateNotMet;
      }
      if (plan.verdict !== 'pass') {
        const unlooked = anyCouldNotLook(plan.gates);
        emitReport(ctx, json, { command, plan, error: refusal(plan.gates) });
        if (unlooked) return couldNotLookExit(ctx, json, plan.gates)!;
        if (!json) ctx.stderr(`${plan.kind} refused: the gates above are not met; nothing was changed\n`);
        return ExitCode.gateNotMet;
      }
      if (plan.steps.every((s) => s.done)) {
        const result = { kind: plan.kind, version: plan.version, status: 'succeeded', journal: [] } as const;
        emitReport(ctx, json, { command, plan, result });
        return ExitCode.ok;
      }
      if (!ctx.isTTY || !ctx.prompt) {
        throw new UsageError(`not a terminal: pass --yes to ${plan.kind} without a confirmation prompt`);
      }
      const answer = await ctx.prompt(
        `${plan.kind} ${plan.version}: run these ${plan.steps.length} step(s)? [y/N] `,
      );
      if (!/^y(es)?$/i.test(answer.trim())) {
        ctx.stderr('cancelled; nothing was changed\n');
        return ExitCode.failed;
      }
    }
    // The plan and each step's line are rendered and written once the engine has sent what it
    // does next (its requests go out in this tick), not before: the same text in the same
    // order, off the path between the gates' verdict and the first write, and between steps.
    let pending: (() => void)[] | undefined;
    const flushOutput = () => {
      const todo = pending;
      pending = undefined;
      todo?.forEach((print) => print());
    };
    const later = (print: () => void) => {
      if (!pending) {
        pending = [];
        setImmediate(flushOutput);
      }
      pending.push(print);
    };
    // Nothing waits silently: a step (or the observation before the first) that takes more than
    // 2 s is announced on stderr, naming what it waits for.
    let watch: SilenceWatch | undefined;
    const onEvent = (e: ExecutionEvent) => {
      watch?.touch(e.type === 'step-started' ? e.step.description : 'the registry and GitHub');
      if (!json)
        later(() => {
          const line = renderEvent(e, style);
          if (line !== undefined) ctx.stdout(`${line}\n`);
        });
      if (executionChannel.hasSubscribers) {
        // A tracer sees the event after its line is out, as it would without the deferral.
        flushOutput();
        executionChannel.publish(e);
      }
    };
    // After a confirmation the engine observes again: the world may have moved while we asked.
    // The engine refuses unmet gates by throwing or by a failed result; both may be a wait.
    const attempt = async (): Promise<{ result: ExecutionResult } | { blocked: ReleaseError }> => {
      watch = watchSilence(ctx, 'the registry and GitHub');
      const onPlan = (plan: Plan) => {
        watch?.touch();
        shown = plan;
        later(() => show(plan));
      };
      try {
        return { result: await run(svc, { onEvent, onPlan, ...execOptions(args, ctx) }) };
      } catch (e) {
        if (e instanceof ReleaseError && e.code === 'GATE_NOT_MET') return { blocked: e };
        throw e;
      } finally {
        flushOutput();
        watch.stop();
      }
    };
    let outcome = await attempt();
    for (let n = 0; ; n++) {
      const blocked =
        'blocked' in outcome ||
        (outcome.result.status !== 'succeeded' && outcome.result.error?.code === 'GATE_NOT_MET');
      const awaited = blocked && shown ? awaitableGates(shown.gates) : undefined;
      if (!awaited || !(await awaitSettling(ctx, awaited, started, waitMs, n))) break;
      outcome = await attempt();
    }
    if ('blocked' in outcome) throw outcome.blocked;
    const result = outcome.result;
    const failure: ReportedError | undefined =
      result.status === 'succeeded'
        ? undefined
        : result.error?.code === 'GATE_NOT_MET' && shown && anyCouldNotLook(shown.gates)
          ? refusal(shown.gates)
          : {
              code: result.error?.code ?? 'FAILED',
              message: result.error?.message ?? `${result.kind} ${result.version} failed`,
            };
    emitReport(ctx, json, { command, plan: shown, result }, failure);
    if (!json) ctx.stdout(renderResult(result, style));
    if (result.status !== 'succeeded' && result.error?.code === 'GATE_NOT_MET' && shown)
      return couldNotLookExit(ctx, json, shown.gates) ?? ExitCode.gateNotMet;
    return result.status === 'succeeded'
      ? ExitCode.ok
      : result.error?.code === 'GATE_NOT_MET'
        ? ExitCode.gateNotMet
        : ExitCode.failed;
  } catch (e) {
    let code = refusalExit(e);
    if (code === undefined) throw e;
    if (code === ExitCode.gateNotMet && shown && anyCouldNotLook(shown.gates)) code = ExitCode.failed;
    const err = e as ReleaseError;
    const unlooked = code === ExitCode.failed && shown ? refusal(shown.gates) : undefined;
    emitReport(ctx, json, {
      command,
      plan: shown,
      error: unlooked ?? { code: err.code, message: err.message, details: err.details },
    });
    if (!json) ctx.stderr(`${err.message}\n`);
    return code;
  }
}

const status: Command = {
  path: ['status'],
  summary: 'show where a release stands: phases and gates with their evidence',
  usage: 'status [version] [--json] [--watch] [--interval S] [--timeout S] [--config F]',
  help: `Without a version, shows the newest version that has a tag.
Options:
  --json          machine-readable status (phase, gates, plan, observations); when the exit
                  code is not 0 it also carries error: { code, message }
  --watch         refresh until interrupted (Ctrl-C)
  --interval S    seconds between refreshes with --watch (default 10)
  --timeout S     seconds each registry or GitHub operation may take, retries included
                  (default 60, or RELKIT_TIMEOUT); a server that never answers fails within it
  -c, --config F  path of release.config.json (default: found upwards from the current directory)
Exit code: 0 when every gate passes or the release was promoted (promoted, superseded), 3 otherwise.`,
  options: {
    ...configOption,
    json: { type: 'boolean' },
    watch: { type: 'boolean' },
    interval: { type: 'string' },
    ...timeoutOption,
  },
  positionals: [0, 1],
  async run(args, ctx) {
    let version = versionArgument(args.positionals[0]);
    const svc = await service(args, ctx);
    const style = styleFor(ctx.env, ctx.isTTY);
    if (!version) {
      version = (await waitingFor(ctx, 'GitHub', svc.listVersions({ limit: 1, signal: ctx.signal })))[0];
      if (!version) {
        ctx.stderr('no version tags found; name a version: release-cli status <version>\n');
        return ExitCode.usage;
      }
    }
    const interval = Number(stringOption(args, 'interval') ?? '10');
    if (!Number.isFinite(interval) || interval <= 0)
      throw new UsageError('--interval takes a number of seconds > 0');
    for (;;) {
      const st = await waitingFor(ctx, 'the registry and GitHub', svc.status(version, ctx.signal));
      const last = !args.values.watch || ctx.signal?.aborted;
      const shipped = st.phase === 'promoted' || st.phase === 'superseded';
      // The last document of a status that exits non-zero says why, as every --json failure does.
      const failed = last && !shipped && st.verdict !== 'pass';
      emitReport(
        ctx,
        args.values.json === true,
        { command: 'status', status: st },
        failed ? refusal(st.gates) : undefined,
      );
      if (!args.values.json)
        ctx.stdout(`${args.values.watch && ctx.isTTY ? '\x1b[2J\x1b[H' : ''}${renderStatus(st, style)}`);
      if (last) {
        if (shipped || st.verdict === 'pass') return ExitCode.ok;
        return couldNotLookExit(ctx, args.values.json === true, st.gates) ?? ExitCode.gateNotMet;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, interval * 1000);
        ctx.signal?.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
      if (ctx.signal?.aborted) return ExitCode.ok;
    }
  },
};

const planOptions = {
  ...configOption,
  json: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  ...timeoutOption,
  'lock-ttl': { type: 'string' },
} as const;

const LOCK_TTL_HELP = `  --lock-ttl S  lease of the release lock in seconds (default 90; RELKIT_LOCK_TTL_SECONDS);
               renewed every S/3 while this run lives, so only a crashed run holds it that long`;

const promote: Command = {
  path: ['promote'],
  summary: 'verify everything, then move latest to X.Y.Z, publish the release and merge the PR',
  usage:
    'promote <version> [--dry-run] [--yes] [--json] [--wait S] [--timeout S] [--lock-ttl S] [--config F]',
  help: `Runs every gate first; nothing is written unless all pass. Then, in order: moves latest of
every image to the exact X.Y.Z digest, publishes the draft release, merges the release PR (after
checking it once more), and the optional floating tags and RC cleanup. Re-running after any failure
resumes: steps already done are skipped. Two promotes of one repository never run at once.
Options:
  --dry-run  show the gates and the plan; change nothing
  -y, --yes  do not ask for confirmation (required when not on a terminal)
  --json     machine-readable plan and journal
  --wait S   wait up to S seconds (default 120) while PR checks run or GitHub computes
             mergeability, polling with backoff; 0 refuses at once
  --timeout S  seconds each registry or GitHub operation may take, retries included (default
             60, or RELKIT_TIMEOUT); a server that never answers fails within it (exit 1)
${LOCK_TTL_HELP}
With --json a refusal or failure prints one object: the plan (and journal) with
error: { code, message } at the top level (GATE_NOT_MET, COULD_NOT_LOOK, LOCK_HELD, …).
Exit codes: 0 done, 1 failed, 2 usage, 3 gate not met, 4 lock held.`,
  options: { ...planOptions, wait: { type: 'string' } },
  positionals: [1, 1],
  run: (args, ctx) =>
    runPlan(
      'promote',
      args,
      ctx,
      (svc) => svc.planPromote(args.positionals[0]!, ctx.signal),
      (svc, options) => svc.promote(args.positionals[0]!, options),
    ),
};

const rollback: Command = {
  path: ['rollback'],
  summary: 'move latest back to an earlier, still-verified version (releases are not touched)',
  usage: 'rollback --to <version> [--dry-run] [--yes] [--json] [--timeout S] [--lock-ttl S] [--config F]',
  help: `Options:
${LOCK_TTL_HELP}
Exit codes: 0 done, 1 failed, 2 usage, 3 gate not met, 4 lock held.`,
  options: { ...planOptions, to: { type: 'string' } },
  positionals: [0, 0],
  run(args, ctx) {
    const to = stringOption(args, 'to');
    if (!to) throw new UsageError('--to <version> is required');
    versionArgument(to, { what: '--to' });
    return runPlan(
      'rollback',
      args,
      ctx,
      (svc) => svc.planRollback(to, ctx.signal),
      (svc, options) => svc.rollback(to, options),
    );
  },
};

const abandon: Command = {
  path: ['abandon'],
  summary: 'undo an unreleased version: draft release, tag, PR (closed with a comment), branch',
  usage: 'abandon <version> [--dry-run] [--yes] [--json] [--timeout S] [--lock-ttl S] [--config F]',
  help: `Refused once anything is public: a published release, a merged PR, or latest moved.
Options:
${LOCK_TTL_HELP}
Exit codes: 0 done, 1 failed, 2 usage, 3 gate not met, 4 lock held.`,
  options: planOptions,
  positionals: [1, 1],
  run: (args, ctx) =>
    runPlan(
      'abandon',
      args,
      ctx,
      (svc) => svc.planAbandon(args.positionals[0]!, ctx.signal),
      (svc, options) => svc.abandon(args.positionals[0]!, options),
    ),
};

/** What unlock did, in words: whose lock it freed, or that it was free. */
function unlockText(r: UnlockResult): string {
  const p = r.previous;
  if (r.outcome === 'free')
    return p.status === 'released'
      ? `the release lock is free (released by ${p.by} at ${p.releasedAt})\n`
      : 'the release lock is free (never taken)\n';
  if (p.status !== 'held' && p.status !== 'expired') return 'released the release lock\n';
  const whose = `${p.holder} since ${p.acquiredAt || 'an unknown time'}, lease until ${p.expiresAt}`;
  if (r.forced) return `forced the release lock free; it was held by ${whose}\n`;
  return p.status === 'expired'
    ? `released the expired release lock of ${whose}\n`
    : `released the release lock (held by ${whose})\n`;
}

const unlock: Command = {
  path: ['unlock'],
  summary: 'free the release lock: your own or an expired one; --force: whoever holds it',
  usage: 'unlock [--force] [--json] [--timeout S] [--config F]',
  help: `The release lock keeps publish, promote, rollback and abandon of one repository apart. A
live run renews it; a crashed one leaves it until its lease ends (--lock-ttl, default 90 s).
unlock frees it at once when it is held by this holder identity (the same user and host, or the
same Actions run) or expired; a live lock of someone else is refused (exit 4, naming them).
Like every move of the lock, unlocking is one conditional write: it never frees a lock that changed
hands after it was read.
Options:
  --force    free the lock whoever holds it, and say who that was (for a holder that crashed)
  --json     {"outcome":"released"|"free","forced":…,"previous":{…}}
  --timeout S  seconds each GitHub operation may take, retries included (default 60, or RELKIT_TIMEOUT)
Exit codes: 0 released or already free, 1 failed, 2 usage, 4 held by someone else.`,
  options: { ...configOption, ...timeoutOption, json: { type: 'boolean' }, force: { type: 'boolean' } },
  positionals: [0, 0],
  async run(args, ctx) {
    const json = args.values.json === true;
    const svc = await service(args, ctx);
    try {
      const r = await waitingFor(
        ctx,
        'GitHub',
        svc.unlock({ holder: lockHolder(ctx.env), force: args.values.force === true, signal: ctx.signal }),
      );
      if (json) writeJson(ctx, r);
      else ctx.stdout(unlockText(r));
      return ExitCode.ok;
    } catch (e) {
      if (!(e instanceof ReleaseError && e.code === 'LOCK_HELD')) throw e;
      if (json) writeJson(ctx, { error: { code: e.code, message: e.message, details: e.details } });
      else ctx.stderr(`${e.message}\n`);
      return ExitCode.lockHeld;
    }
  },
};

export const releaseCommands: readonly Command[] = [status, promote, rollback, abandon, unlock];
