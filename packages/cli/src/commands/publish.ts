import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import {
  PUBLISH_STAGES,
  awaitableGates,
  parseConfig,
  type PublishPlan,
  type PublishResult,
  type PublishRun,
  type PublishService,
  type PublishStage,
  type PublishVerification,
} from '@relkit/release-core';
import {
  APP_CLIENT_ID_VARIABLE,
  APP_PRIVATE_KEY_SECRET,
  connectPublish,
  initFiles,
  type InitInput,
} from '@relkit/connect';
import { buildInfo, defaultAction } from '../build-info.js';
import {
  ExitCode,
  UsageError,
  configOption,
  connectOptions,
  stringOption,
  timeoutOption,
  writeJson,
  type CliContext,
  type Command,
  type ParsedArgs,
} from '../command.js';
import {
  lockHolder,
  mark,
  paint,
  renderEvent,
  renderGatesAndSteps,
  styleFor,
  type Style,
} from '../render.js';
import { emitReport, refusal, reportRefusal } from '../report.js';
import { awaitSettling, waitSeconds } from '../settling.js';
import { waitingFor, watchSilence } from '../waiting.js';

async function publishService(args: ParsedArgs, ctx: CliContext): Promise<PublishService> {
  const connect = ctx.connectPublish ?? connectPublish;
  return connect(connectOptions(args, ctx));
}

/**
 * The run the smoke-test correlation id names: the Actions run when there is one, otherwise a
 * local id that is unique enough to tell two local publishes apart.
 */
export function publishRun(env: CliContext['env'], now: Date = new Date()): PublishRun {
  if (env.GITHUB_RUN_ID) {
    const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
    return {
      id: env.GITHUB_RUN_ID,
      url: env.GITHUB_REPOSITORY
        ? `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`
        : undefined,
      workflow: env.GITHUB_WORKFLOW_REF ?? env.GITHUB_WORKFLOW,
    };
  }
  return { id: `local-${now.getTime()}`, workflow: 'release-cli' };
}

export function renderPublishPlan(plan: PublishPlan, s: Style): string {
  const lines: string[] = [];
  const stage = plan.stage === 'all' ? '' : ` (${plan.stage} stage)`;
  lines.push(
    paint(s, 1, `${plan.kind === 'candidate' ? 'publish candidate' : 'publish'} ${plan.tag}${stage}`),
  );
  lines.push(...renderGatesAndSteps(plan.gates, plan.steps, s));
  return `${lines.join('\n')}\n`;
}

function renderPublishResult(r: PublishResult, s: Style): string {
  const done = r.journal.filter((j) => j.status === 'done').length;
  const skipped = r.journal.filter((j) => j.status === 'skipped').length;
  const head =
    r.status === 'succeeded'
      ? paint(s, 32, `published ${r.tag}`)
      : paint(s, 31, `publish ${r.tag} failed: ${r.error?.message ?? ''}`);
  const lines = [`${head} — ${done} step(s) done, ${skipped} already done`];
  if (r.sha) lines.push(`  commit: ${r.sha}`);
  if (r.release) lines.push(`  draft release: ${r.release.url}`);
  if (r.status === 'failed')
    lines.push('Run the same command again to resume: steps already done are skipped.');
  else lines.push(`  latest is untouched; after the checks, run: release-cli promote ${r.version}`);
  return `${lines.join('\n')}\n`;
}

export function renderVerification(v: PublishVerification, s: Style): string {
  const lines = [paint(s, 1, `verify-publish ${v.version}: ${v.verdict}`)];
  for (const g of v.gates) {
    lines.push(`  ${mark(s, g.status)} ${g.title}${g.subject ? ` [${g.subject}]` : ''}: ${g.reason}`);
  }
  for (const d of v.digests) lines.push(`  ${d.image}@${d.digest}`);
  return `${lines.join('\n')}\n`;
}

/** --stage S, or its older spellings --skip-smoke (release) and --smoke-only (smoke). */
function stageOf(args: ParsedArgs): PublishStage {
  const given = stringOption(args, 'stage');
  const flags = [args.values['skip-smoke'] && '--skip-smoke', args.values['smoke-only'] && '--smoke-only'];
  const set = flags.filter((f): f is string => typeof f === 'string');
  if (set.length + (given === undefined ? 0 : 1) > 1) {
    throw new UsageError(
      `${[...(given === undefined ? [] : ['--stage']), ...set].join(' and ')} exclude each other`,
    );
  }
  if (given !== undefined) {
    if (!(PUBLISH_STAGES as readonly string[]).includes(given))
      throw new UsageError(`--stage takes ${PUBLISH_STAGES.join(', ')}, got "${given}"`);
    return given as PublishStage;
  }
  return args.values['smoke-only'] ? 'smoke' : args.values['skip-smoke'] ? 'release' : 'all';
}

const publish: Command = {
  path: ['publish'],
  summary: 'publish phase: validate, finalize the CHANGELOG, tag, draft release, dispatch the smoke test',
  usage:
    'publish <version> [--candidate] [--dry-run] [--yes] [--json] [--stage all|finalize|release|smoke] [--built-from SHA] [--date D] [--wait S] [--skip-smoke] [--smoke-only] [--timeout S] [--config F]',
  help: `Validates first (version X.Y.Z; an X.Y.Z-rcN tag exists; CHANGELOG has "## [X.Y.Z] - TBD"; the
release PR exists, is not a draft and its CI is green by the latest run per check name; no published
release for the tag), then: dates the CHANGELOG through an API commit and reads it back, creates the
lightweight tag at that commit, creates the draft release with the CHANGELOG notes and dispatches the
downstream smoke test with the correlation id <repo>:<run id>:<tag>. latest is never touched.
Every step is idempotent: re-running after a failure resumes.
Options:
  --candidate      cut the next X.Y.Z-rcN instead (tag at the release branch head, smoke dispatch)
  --stage S        all (default); finalize: only validate and date the CHANGELOG (with its
                   mirrors and version files) by API commit, so CI builds that commit; release:
                   everything but the dispatch; smoke: only the dispatch, after the images are
                   pushed and signed
  --skip-smoke     the same as --stage release
  --smoke-only     the same as --stage smoke
  --built-from SHA the commit this run's images were built and signed from (CI: github.sha):
                   refuse (exit 3) unless the tag would mark exactly that commit
  --date D         the release date (YYYY-MM-DD; default: today in UTC)
  --wait S         wait up to S seconds (default 120) while the release PR's checks are queued
                   or running (the finalize commit's CI has just started), re-planning with
                   backoff; 0 refuses at once (exit 3). A --dry-run waits only when given --wait
  --dry-run        show the checks and the plan; change nothing
  -y, --yes        do not ask for confirmation (required when not on a terminal)
  --json           machine-readable plan and journal; a refusal or failure adds
                   error: { code, message } at the top level
  --timeout S      seconds each GitHub or registry operation may take, retries included
                   (default 60, or RELKIT_TIMEOUT)
  -c, --config F   path of release.config.json
Exit codes: 0 done, 1 failed, 2 usage, 3 a check is not met, 4 lock held.`,
  options: {
    ...configOption,
    json: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    candidate: { type: 'boolean' },
    'skip-smoke': { type: 'boolean' },
    'smoke-only': { type: 'boolean' },
    stage: { type: 'string' },
    'built-from': { type: 'string' },
    date: { type: 'string' },
    wait: { type: 'string' },
    ...timeoutOption,
  },
  positionals: [1, 1],
  async run(args, ctx) {
    const version = args.positionals[0]!;
    const json = args.values.json === true;
    const style = styleFor(ctx.env, ctx.isTTY);
    const stage = stageOf(args);
    const date = stringOption(args, 'date');
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date))
      throw new UsageError('--date takes YYYY-MM-DD');
    const builtFrom = stringOption(args, 'built-from')?.toLowerCase();
    if (builtFrom !== undefined && !/^[0-9a-f]{40}$/.test(builtFrom))
      throw new UsageError('--built-from takes a full 40-character commit SHA');
    // Checks that are still running settle by themselves (core decides which gates do): wait
    // for them, re-planning with backoff, rather than refusing a run that started with its CI.
    const wait = waitSeconds(args) * 1000; // a bad --wait is a usage error before any network
    // A dry run answers at once unless told to wait: CI's gate check (the generated workflow's
    // plan job) passes --wait, since it runs as the finalize commit's CI starts.
    const waitMs = args.values['dry-run'] && stringOption(args, 'wait') === undefined ? 0 : wait;
    try {
      const svc = await publishService(args, ctx);
      const makePlan = () =>
        waitingFor(
          ctx,
          'the registry and GitHub',
          svc.plan(version, {
            run: publishRun(ctx.env),
            candidate: args.values.candidate === true,
            stage,
            date,
            builtFrom,
            signal: ctx.signal,
          }),
        );
      const started = Date.now();
      let plan = await makePlan();
      for (let attempt = 0; ; attempt++) {
        const awaited = awaitableGates(plan.gates);
        if (!awaited || !(await awaitSettling(ctx, awaited, started, waitMs, attempt))) break;
        plan = await makePlan();
      }
      if (!json) ctx.stdout(renderPublishPlan(plan, style));
      if (args.values['dry-run']) {
        emitReport(
          ctx,
          json,
          { command: 'publish', dryRun: true, plan },
          plan.verdict === 'pass' ? undefined : refusal(plan.gates),
        );
        return plan.verdict === 'pass' ? ExitCode.ok : ExitCode.gateNotMet;
      }
      if (plan.verdict !== 'pass') {
        emitReport(ctx, json, { command: 'publish', plan, error: refusal(plan.gates) });
        if (!json) ctx.stderr('publish refused: the checks above are not met; nothing was changed\n');
        return ExitCode.gateNotMet;
      }
      if (plan.steps.every((s) => s.done)) {
        const result = {
          kind: plan.kind,
          version: plan.version,
          tag: plan.tag,
          status: 'succeeded',
          journal: [],
          correlationId: plan.correlationId,
        } as const;
        emitReport(ctx, json, { command: 'publish', plan, result });
        if (!json) ctx.stdout('nothing to do: every step is already done\n');
        return ExitCode.ok;
      }
      if (!args.values.yes) {
        if (!ctx.isTTY || !ctx.prompt) {
          throw new UsageError('not a terminal: pass --yes to publish without a confirmation prompt');
        }
        const answer = await ctx.prompt(
          `publish ${plan.tag}: run these ${plan.steps.length} step(s)? [y/N] `,
        );
        if (!/^y(es)?$/i.test(answer.trim())) {
          ctx.stderr('cancelled; nothing was changed\n');
          return ExitCode.failed;
        }
      }
      // Nothing waits silently: a step that takes more than 2 s is announced on stderr.
      const watch = watchSilence(ctx, 'the registry and GitHub');
      const result = await svc
        .execute(plan, {
          signal: ctx.signal,
          holder: lockHolder(ctx.env),
          onEvent: (e) => {
            watch.touch(e.type === 'step-started' ? e.step.description : 'the registry and GitHub');
            if (json) return;
            const line = renderEvent(e, style);
            if (line !== undefined) ctx.stdout(`${line}\n`);
          },
        })
        .finally(() => watch.stop());
      emitReport(
        ctx,
        json,
        { command: 'publish', plan, result },
        result.status === 'succeeded'
          ? undefined
          : {
              code: result.error?.code ?? 'FAILED',
              message: result.error?.message ?? `publish ${result.tag} failed`,
            },
      );
      if (!json) ctx.stdout(renderPublishResult(result, style));
      if (result.status === 'succeeded') return ExitCode.ok;
      return result.error?.code === 'GATE_NOT_MET' ? ExitCode.gateNotMet : ExitCode.failed;
    } catch (e) {
      return reportRefusal(ctx, json, 'publish', e);
    }
  },
};

const verifyPublish: Command = {
  path: ['verify-publish'],
  summary: 'check that X.Y.Z (never latest) exists with every platform and is signed by the policy',
  usage: 'verify-publish <version> [--json] [--timeout S] [--config F]',
  help: `The step CI runs right after cosign: every configured image has the version tag, as a
multi-arch index with every required platform, signed (and attested) as release.config.json's
"signing" policy demands. Also takes a candidate X.Y.Z-rcN.
Exit codes: 0 verified, 1 failed, 2 usage, 3 not verified (or could not look).`,
  options: { ...configOption, json: { type: 'boolean' }, ...timeoutOption },
  positionals: [1, 1],
  async run(args, ctx) {
    const svc = await publishService(args, ctx);
    const v = await svc.verify(args.positionals[0]!, ctx.signal);
    emitReport(
      ctx,
      args.values.json === true,
      { command: 'verify-publish', verification: v },
      v.verdict === 'pass' ? undefined : refusal(v.gates),
    );
    if (!args.values.json) ctx.stdout(renderVerification(v, styleFor(ctx.env, ctx.isTTY)));
    return v.verdict === 'pass' ? ExitCode.ok : ExitCode.gateNotMet;
  },
};

/** OWNER/REPO of the checkout in `cwd`, from $GITHUB_REPOSITORY or the origin remote in .git/config. */
export function detectRepository(cwd: string, env: CliContext['env']): string | undefined {
  if (env.GITHUB_REPOSITORY) return env.GITHUB_REPOSITORY;
  let dir = cwd;
  for (;;) {
    const gitConfig = join(dir, '.git', 'config');
    if (existsSync(gitConfig)) {
      const text = readFileSync(gitConfig, 'utf8');
      const origin = /\[remote "origin"\][^[]*?url\s*=\s*(\S+)/.exec(text)?.[1];
      const m = origin && /github\.com[:/]([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(origin);
      return m ? `${m[1]}/${m[2]}` : undefined;
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

const init: Command = {
  path: ['init'],
  summary: 'write release.config.json, the prepare, publish, promote and abandon workflows and just recipes',
  usage:
    'init [--repository OWNER/REPO] [--image NAME] [--smoke OWNER/REPO] [--github-app] [--build PATH] [--integration-branch B] [--workflow-prefix P] [--action OWNER/REPO@SHA] [--force] [--json]',
  help: `Writes, in the current directory (the repository root):
  release.config.json                        what is released and the signing policy
  .github/workflows/release-publish.yml      gates → build → index, sign, attest, verify → tag, draft
                                             (a final release: the finalize commit, then a 2nd run)
  .github/workflows/prepare-release.yml      workflow_dispatch(version) → relkit prepare
  .github/workflows/promote-release.yml      workflow_dispatch(version) → relkit promote, cleanup
  .github/workflows/abandon-release.yml      workflow_dispatch(version) → relkit abandon
  justfile                                   prepare-release, publish-candidate, finalize-release,
                                             promote-release, abandon-release
Every action is pinned to a release commit; relkit's own to the commit this CLI was built from.
With --github-app each file's header lists exactly the permissions its App tokens request.
Existing files are never overwritten without --force.
Options:
  --repository OWNER/REPO    default: $GITHUB_REPOSITORY or the origin remote
  --image NAME               default: ghcr.io/<owner>/<repo> (lower case)
  --smoke OWNER/REPO         the downstream smoke-test repository, if there is one
  --github-app               mint a GitHub App token per job (vars.${APP_CLIENT_ID_VARIABLE},
                             secrets.${APP_PRIVATE_KEY_SECRET}); ghcr.io keeps GITHUB_TOKEN
  --build PATH               the repository's own build instead of docker/build-push-action: a
                             reusable workflow (./.github/workflows/build.yml) or a composite
                             action (./.github/actions/build); inputs image, image-tag, platforms;
                             output digests (JSON platform → digest)
  --integration-branch B     where release branches are cut from (gitflow: dev; default main)
  --workflow-prefix P        prefix of the workflow file names (e.g. relkit-)
  --action OWNER/REPO@SHA    the relkit action (default: the repository and commit of this build)
  --force                    overwrite existing files`,
  options: {
    repository: { type: 'string' },
    image: { type: 'string' },
    smoke: { type: 'string' },
    action: { type: 'string' },
    'github-app': { type: 'boolean' },
    build: { type: 'string' },
    'integration-branch': { type: 'string' },
    'workflow-prefix': { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: [0, 0],
  async run(args, ctx) {
    const repository = stringOption(args, 'repository') ?? detectRepository(ctx.cwd, ctx.env);
    if (!repository) {
      throw new UsageError('cannot tell which GitHub repository this is: pass --repository OWNER/REPO');
    }
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(repository)) {
      throw new UsageError(`--repository "${repository}" is not OWNER/REPO`);
    }
    const given = stringOption(args, 'action');
    if (given !== undefined && !/^(?:[A-Za-z0-9-]+\/[A-Za-z0-9._-]+@\S+|\.\/\S*)$/.test(given)) {
      throw new UsageError(`--action "${given}" is not OWNER/REPO@SHA (or a local ./path)`);
    }
    const build = stringOption(args, 'build');
    if (build !== undefined && !/^\.\/\S+$/.test(build)) {
      throw new UsageError(
        `--build "${build}" is not a path in this repository (./.github/workflows/build.yml or ./.github/actions/build)`,
      );
    }
    const prefix = stringOption(args, 'workflow-prefix');
    if (prefix !== undefined && !/^[A-Za-z0-9_-]*$/.test(prefix)) {
      throw new UsageError(`--workflow-prefix "${prefix}" may contain only letters, digits, - and _`);
    }
    const info = buildInfo();
    const fallback = defaultAction(info);
    const input: InitInput = {
      repository,
      image: stringOption(args, 'image') ?? `ghcr.io/${repository.toLowerCase()}`,
      smoke: stringOption(args, 'smoke'),
      action: given ?? fallback.action,
      cliVersion: info.version,
      githubApp: args.values['github-app'] === true,
      build,
      integrationBranch: stringOption(args, 'integration-branch'),
      workflowPrefix: prefix,
    };
    const files = initFiles(input);
    // The config must be one relkit accepts: validate before writing anything.
    parseConfig(JSON.parse(files.find((f) => f.path === 'release.config.json')!.content) as unknown);
    const existing = files.filter((f) => existsSync(join(ctx.cwd, f.path)));
    if (existing.length > 0 && !args.values.force) {
      ctx.stderr(
        `release-cli init: ${existing.map((f) => f.path).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written (pass --force to overwrite)\n`,
      );
      return ExitCode.failed;
    }
    for (const f of files) {
      const path = join(ctx.cwd, f.path);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, f.content);
    }
    const written = files.map((f) => ({
      path: relative(ctx.cwd, join(ctx.cwd, f.path)),
      overwritten: existing.includes(f),
    }));
    const unpinned =
      given === undefined && !fallback.pinned
        ? `this release-cli was built without its commit: the workflows use ${input.action} (a tag, which can move); pin it with --action ${info.repository}@<commit>`
        : undefined;
    if (args.values.json)
      writeJson(ctx, {
        repository,
        image: input.image,
        action: input.action,
        files: written,
        ...(unpinned ? { warning: unpinned } : {}),
      });
    else {
      if (unpinned) ctx.stderr(`release-cli init: ${unpinned}\n`);
      ctx.stdout(
        `${written.map((w) => `${w.overwritten ? 'overwrote' : 'wrote'} ${w.path}`).join('\n')}\n` +
          `Next: commit these files to the default branch (workflow_dispatch only sees workflows there),\n` +
          `then: just prepare-release X.Y.Z → just publish-candidate X.Y.Z → just finalize-release X.Y.Z → just promote-release X.Y.Z\n`,
      );
    }
    return ExitCode.ok;
  },
};

export const publishCommands: readonly Command[] = [publish, verifyPublish, init];
