// The GitHub Action entry (action.yml → dist/index.js). It only translates: INPUT_* variables
// become a release-cli command line run in-process with --json (the log shows the JSON), the
// command's typed report becomes step outputs and a Markdown summary, and errors become ::error::
// annotations. No release logic here.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { PUBLISH_STAGES, parseConfigText, type Gate } from '@relkit/release-core';
import type { CliContext, Command } from './command.js';
import { main } from './main.js';
import { makeRedactor } from './redact.js';
import type { CommandReport } from './report.js';

export const ACTION_COMMANDS = [
  'status',
  'prepare',
  'publish',
  'verify-publish',
  'promote',
  'rollback',
  'abandon',
  'cleanup',
  'doctor',
] as const;
export type ActionCommand = (typeof ACTION_COMMANDS)[number];

type Env = Readonly<Record<string, string | undefined>>;

export interface ActionOptions {
  readonly env: Env;
  readonly cwd: string;
  /** Where log lines and workflow commands go (the step log). */
  readonly log: (text: string) => void;
  readonly signal?: AbortSignal;
  /** Injected service factories (tests); the CLI's defaults otherwise. */
  readonly connect?: CliContext['connect'];
  readonly connectPublish?: CliContext['connectPublish'];
  readonly commands?: readonly Command[];
}

/**
 * The token-role inputs as the CLI's environment: `token` (the workflow's GITHUB_TOKEN: ghcr.io,
 * and the API when github-token is empty), github-token, commit-token, smoke-token (each
 * defaulting to the one before it, in @relkit/connect), registry-username / registry-password.
 */
export function roleEnv(env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  const map: [string, string][] = [
    ['token', 'GITHUB_TOKEN'],
    ['github-token', 'RELKIT_GITHUB_TOKEN'],
    ['commit-token', 'RELKIT_COMMIT_TOKEN'],
    ['smoke-token', 'RELKIT_SMOKE_TOKEN'],
    ['registry-username', 'RELKIT_REGISTRY_USERNAME'],
    ['registry-password', 'RELKIT_REGISTRY_PASSWORD'],
  ];
  for (const [name, variable] of map) {
    const v = input(env, name);
    if (v) out[variable] = v;
  }
  if ((out.RELKIT_REGISTRY_USERNAME === undefined) !== (out.RELKIT_REGISTRY_PASSWORD === undefined))
    throw new ActionInputError(
      'inputs "registry-username" and "registry-password" go together: set both or neither',
    );
  return out;
}

/** How @actions/core names an input's variable: spaces → _, upper case; dashes stay. */
export function input(env: Env, name: string): string {
  return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

function bool(env: Env, name: string): boolean {
  const v = input(env, name).toLowerCase();
  if (v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw new ActionInputError(`input "${name}" must be true or false, got "${v}"`);
}

class ActionInputError extends Error {}

/** Workflow-command escaping (the same rules as @actions/core). */
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

function annotation(
  kind: 'error' | 'warning' | 'notice',
  message: string,
  props: Record<string, string> = {},
): string {
  const p = Object.entries(props)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(',');
  return `::${kind}${p ? ` ${p}` : ''}::${escapeData(message)}\n`;
}

/** The release-cli command line for one action invocation. */
export function actionArgv(env: Env): { command: ActionCommand; argv: string[]; configPath: string } {
  const command = input(env, 'command');
  if (!(ACTION_COMMANDS as readonly string[]).includes(command)) {
    throw new ActionInputError(
      `input "command" must be one of ${ACTION_COMMANDS.join(', ')}${command ? `, got "${command}"` : ' (it is empty)'}`,
    );
  }
  const c = command as ActionCommand;
  const version = input(env, 'version');
  if (!version && c !== 'status' && c !== 'doctor')
    throw new ActionInputError(`input "version" is required for ${c}`);
  // Read as an option, "-h" would print help and succeed, "--yes" would change what runs.
  if (version.startsWith('-'))
    throw new ActionInputError(`input "version" must be a version such as 1.2.3, got "${version}"`);
  const configPath = input(env, 'config') || 'release.config.json';
  const argv: string[] =
    c === 'rollback'
      ? ['rollback', '--to', version]
      : c === 'doctor'
        ? ['doctor']
        : [c, ...(version ? [version] : [])];
  argv.push('--json', '--config', configPath);
  const dryRun = bool(env, 'dry-run');
  if (
    c === 'prepare' ||
    c === 'publish' ||
    c === 'promote' ||
    c === 'rollback' ||
    c === 'abandon' ||
    c === 'cleanup'
  ) {
    argv.push(dryRun ? '--dry-run' : '--yes');
  } else if (dryRun) {
    throw new ActionInputError(`input "dry-run" does not apply to ${c} (it changes nothing anyway)`);
  }
  const timeout = input(env, 'timeout');
  if (timeout) argv.push('--timeout', timeout);
  if (c === 'publish') {
    if (bool(env, 'candidate')) argv.push('--candidate');
    const stage = input(env, 'stage') || 'all';
    if (!(PUBLISH_STAGES as readonly string[]).includes(stage)) {
      throw new ActionInputError(`input "stage" must be all, release, smoke or finalize, got "${stage}"`);
    }
    if (stage === 'release') argv.push('--skip-smoke');
    if (stage === 'smoke') argv.push('--smoke-only');
    if (stage === 'finalize') argv.push('--stage', 'finalize');
    const builtFrom = input(env, 'built-from');
    if (builtFrom) argv.push('--built-from', builtFrom);
  } else if (input(env, 'built-from')) {
    throw new ActionInputError(`input "built-from" applies to publish only, not ${c}`);
  }
  const wait = input(env, 'wait');
  if (wait) {
    if (c !== 'publish' && c !== 'promote')
      throw new ActionInputError(`input "wait" applies to publish and promote only, not ${c}`);
    argv.push('--wait', wait);
  }
  return { command: c, argv, configPath };
}

export interface ActionOutputs {
  phase?: string;
  verdict?: string;
  digests?: string;
  'release-url'?: string;
  'pr-merge-sha'?: string;
  tag?: string;
  'image-tag'?: string;
  sha?: string;
  'pr-url'?: string;
}

/** The gates of a report: a status's, a verification's, or its plan's. */
function gatesOf(report: CommandReport): readonly Gate[] {
  switch (report.command) {
    case 'status':
      return report.status.gates;
    case 'verify-publish':
      return report.verification.gates;
    case 'doctor':
    case 'cleanup':
      return [];
    default:
      return report.plan?.gates ?? [];
  }
}

/** Step outputs from a command's typed report (status, plans with journals, verification). */
export function outputsFrom(report: CommandReport | undefined, code: number): ActionOutputs {
  const out: ActionOutputs = {};
  if (!report) return out;
  const ok = code === 0;
  const digests: Record<string, string> = {};
  switch (report.command) {
    case 'status': {
      const { status } = report;
      const o = status.observations;
      out.phase = status.phase;
      out.verdict = status.verdict;
      for (const i of o.images) if (i.version.state === 'found') digests[i.image] = i.version.digest;
      if (o.release.state === 'draft' || o.release.state === 'published') out['release-url'] = o.release.url;
      if (o.pullRequest.state === 'merged') out['pr-merge-sha'] = o.pullRequest.mergeCommitSha;
      break;
    }
    case 'verify-publish':
      out.verdict = report.verification.verdict;
      if (ok) out.phase = 'published';
      for (const d of report.verification.digests) digests[d.image] = d.digest;
      break;
    case 'doctor':
      out.verdict = report.doctor.ok ? 'pass' : 'fail';
      break;
    case 'cleanup':
      out.verdict = report.report.status === 'succeeded' ? 'pass' : 'fail';
      break;
    case 'prepare': {
      const { plan, result } = report;
      out.verdict = plan?.verdict;
      // The commit release/X.Y.Z starts at (the freeze commit), and the draft release PR.
      out.sha = result?.sha;
      out['pr-url'] = result?.pullRequest?.url;
      if (ok && !report.dryRun && plan) out.phase = 'prepared';
      break;
    }
    case 'publish': {
      const { plan, result } = report;
      out.verdict = plan?.verdict;
      out.tag = plan?.tag;
      out['image-tag'] = plan?.publishVersion;
      // The commit tagged or to tag; for a finalize stage found done, the finalized head (the
      // generated workflow compares it with github.sha to know whether to dispatch itself again).
      out.sha =
        result?.sha ??
        plan?.steps
          .map(({ step, done }) =>
            'sha' in step ? step.sha : step.kind === 'finalize-changelog' && done ? step.parentSha : null,
          )
          .find((sha) => sha !== null) ??
        undefined;
      out['release-url'] = result?.release?.url;
      // After the smoke half, the images were pushed and verified: the release is published (as a draft).
      if (ok && !report.dryRun && plan) {
        out.phase =
          plan.kind === 'candidate' ? 'candidate' : plan.stage === 'smoke' ? 'published' : 'finalized';
      }
      break;
    }
    default: {
      const { plan, result } = report;
      out.verdict = plan?.verdict;
      for (const { step } of plan?.steps ?? []) {
        if (step.kind === 'move-tag' && step.tag === 'latest') digests[step.image] = step.toDigest;
        if (step.kind === 'publish-release') out['release-url'] = step.url;
      }
      out['pr-merge-sha'] = result?.journal.find((j) => j.kind === 'merge-pr' && j.status === 'done')?.after;
      // The phase of the version named: after a promote or a rollback latest names it (promoted).
      if (ok && !report.dryRun) out.phase = report.command === 'abandon' ? 'abandoned' : 'promoted';
    }
  }
  if (Object.keys(digests).length > 0) out.digests = JSON.stringify(digests);
  return out;
}

const MARK: Record<string, string> = { pass: '✅', fail: '❌', pending: '⏳' };
const cell = (s: unknown) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
const JOURNAL_MARK: Record<string, string> = { done: '✅', skipped: '↷', warning: '⚠️', failed: '❌' };

/** The Markdown summary of one run: verdict, gates and steps. */
export function summaryMarkdown(title: string, report: CommandReport | undefined, code: number): string {
  const lines = [`## ${title}`, ''];
  const plan = report && 'plan' in report ? report.plan : undefined;
  const result = report && 'result' in report ? report.result : undefined;
  const dryRun = report !== undefined && 'dryRun' in report && report.dryRun === true;
  const phase = report?.command === 'status' ? report.status.phase : undefined;
  const verdict =
    report?.command === 'status'
      ? report.status.verdict
      : report?.command === 'verify-publish'
        ? report.verification.verdict
        : plan?.verdict;
  const status = result?.status ?? (dryRun ? 'dry run, nothing changed' : undefined);
  lines.push(
    `**${code === 0 ? 'succeeded' : 'failed'}**` +
      (phase ? ` · phase \`${phase}\`` : '') +
      (verdict ? ` · gates: ${verdict}` : '') +
      (status ? ` · ${status}` : ''),
    '',
  );
  const gates = report ? gatesOf(report) : [];
  if (gates.length > 0) {
    lines.push('| | gate | reason |', '|---|---|---|');
    for (const g of gates) {
      lines.push(
        `| ${MARK[g.status] ?? ''} | ${cell(g.title)}${g.subject ? ` \`${cell(g.subject)}\`` : ''} | ${cell(g.reason)} |`,
      );
    }
    lines.push('');
  }
  const steps: readonly { id: string; description: string; done: boolean }[] = plan?.steps ?? [];
  const journal: readonly { id: string; status: string; message: string }[] = result?.journal ?? [];
  if (steps.length > 0) {
    lines.push('| # | step | outcome |', '|---|---|---|');
    steps.forEach((s, i) => {
      const j = journal.find((x) => x.id === s.id);
      const outcome = j
        ? `${JOURNAL_MARK[j.status] ?? '❌'} ${cell(j.message)}`
        : s.done
          ? '↷ already done'
          : dryRun
            ? 'planned'
            : 'not run';
      lines.push(`| ${i + 1} | ${cell(s.description)} | ${outcome} |`);
    });
    lines.push('');
  }
  if (report?.command === 'doctor') {
    lines.push('| | check | detail | fix |', '|---|---|---|---|');
    const mark = { pass: '✅', fail: '❌', skip: '➖' } as const;
    for (const c of report.doctor.checks)
      lines.push(`| ${mark[c.status]} | ${cell(c.title)} | ${cell(c.detail)} | ${cell(c.fix ?? '')} |`);
    lines.push('');
  }
  if (report?.command === 'cleanup') {
    const r = report.report;
    lines.push('| image | version | action | why |', '|---|---|---|---|');
    for (const i of r.images) {
      if (i.error)
        lines.push(`| \`${cell(i.image)}\` | | ❌ ${cell(i.error.code)} | ${cell(i.error.message)} |`);
      for (const d of i.delete)
        lines.push(
          `| \`${cell(i.image)}\` | \`${cell(d.version.digest.slice(7, 19))}\` | ${r.dryRun ? 'would delete' : i.deleted.includes(d.version.id) || i.deleted.includes(d.version.digest) ? '✅ deleted' : '❌ not deleted'} | ${cell(d.reason)} |`,
        );
      for (const k of i.keep)
        lines.push(
          `| \`${cell(i.image)}\` | \`${cell(k.version.digest.slice(7, 19))}\` | kept | ${cell(k.reason)} |`,
        );
      for (const f of i.failures)
        lines.push(`| \`${cell(i.image)}\` | | ❌ ${cell(f.code)} | ${cell(f.message)} |`);
    }
    for (const x of r.refs)
      lines.push(
        `| ${x.kind} | \`${cell(x.tag)}\` | ${x.action === 'keep' ? 'kept' : x.error ? '❌ failed' : r.dryRun ? 'would delete' : '✅ deleted'} | ${cell(x.error?.message ?? x.reason)} |`,
      );
    lines.push('');
  }
  if (report?.command === 'verify-publish') {
    for (const d of report.verification.digests) lines.push(`- \`${cell(d.image)}@${cell(d.digest)}\``);
  }
  const error = report && 'error' in report ? report.error : undefined;
  if (error?.message) lines.push('', `> ${cell(error.message)}`);
  if (result?.error?.message) lines.push('', `> ${cell(result.error.message)}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

// Outputs are output too: a URL GitHub returned (release-url, pr-url) may carry userinfo or a
// token in its query (a hostile or misconfigured server), and later steps print them.
function writeOutputs(env: Env, outputs: ActionOutputs, redact: (text: string) => string): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  let text = '';
  for (const [k, v] of Object.entries(outputs)) {
    if (v === undefined) continue;
    const delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${k}<<${delimiter}\n${redact(v)}\n${delimiter}\n`;
  }
  if (text) appendFileSync(file, text);
}

/**
 * Runs one action invocation; returns the process exit code (0 success, 1 failure: the step
 * fails on anything else than 0, gates not met included).
 */
export async function runAction(options: ActionOptions): Promise<number> {
  const { env, log } = options;
  const redact = makeRedactor(env);
  const fail = (message: string, props: Record<string, string> = {}) => {
    log(annotation('error', redact(message), { title: 'relkit', ...props }));
    return 1;
  };
  let parsed: ReturnType<typeof actionArgv>;
  let roles: Record<string, string>;
  try {
    parsed = actionArgv(env);
    roles = roleEnv(env);
  } catch (e) {
    if (e instanceof ActionInputError) return fail(e.message);
    throw e;
  }
  const { command, argv, configPath } = parsed;
  const workspace = env.GITHUB_WORKSPACE || options.cwd;
  const configFile = isAbsolute(configPath) ? configPath : join(workspace, configPath);
  // A missing or invalid config is the commonest first-run mistake: say so before connecting.
  if (!existsSync(configFile)) {
    return fail(
      `${configPath} not found in ${workspace}: check out the repository first (actions/checkout), ` +
        'create it with `npx release-cli init`, or point the "config" input at it',
      { file: configPath },
    );
  }
  try {
    parseConfigText(readFileSync(configFile, 'utf8'), configPath);
  } catch (e) {
    return fail((e as Error).message, { file: configPath });
  }
  const cliEnv: Record<string, string | undefined> = {
    ...env,
    ...roles,
    NO_COLOR: '1',
  };
  const out: string[] = [];
  const err: string[] = [];
  let report: CommandReport | undefined;
  log(`release-cli ${argv.join(' ')}\n`);
  const code = await main(
    argv,
    {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      env: cliEnv,
      cwd: workspace,
      isTTY: false,
      signal: options.signal,
      connect: options.connect,
      connectPublish: options.connectPublish,
      onReport: (r) => {
        report = r;
      },
    },
    options.commands,
  );
  const stdout = out.join('');
  const stderr = err.join('').trim();
  if (stdout) log(stdout.endsWith('\n') ? stdout : `${stdout}\n`);
  writeOutputs(env, outputsFrom(report, code), redact);
  const title = `relkit ${command}${input(env, 'version') ? ` ${input(env, 'version')}` : ''}`;
  if (env.GITHUB_STEP_SUMMARY)
    appendFileSync(env.GITHUB_STEP_SUMMARY, redact(summaryMarkdown(title, report, code)));
  // Best-effort steps that failed (the integration sync after a promote): warnings with the way out.
  const journal: readonly { status: string; id: string; message: string }[] =
    report && 'result' in report ? (report.result?.journal ?? []) : [];
  for (const j of journal.filter((x) => x.status === 'warning'))
    log(annotation('warning', redact(`${j.id}: ${j.message}`), { title: 'relkit' }));
  if (code === 0) return 0;
  // status reports; a release that is not promotable yet is not a failed step.
  if (report?.command === 'status' && code === 3) {
    log(
      annotation('notice', `release is not promotable yet (phase ${report.status.phase})`, {
        title: 'relkit',
      }),
    );
    return 0;
  }
  const gates = report ? gatesOf(report).filter((g) => g.status !== 'pass') : [];
  const failedChecks =
    report?.command === 'doctor' ? report.doctor.checks.filter((c) => c.status === 'fail') : [];
  const reason =
    (failedChecks.length > 0
      ? failedChecks.map((c) => `${c.title}: ${c.detail} (fix: ${c.fix ?? '-'})`).join('; ')
      : undefined) ??
    (report && 'error' in report ? report.error?.message : undefined) ??
    (report && 'result' in report ? report.result?.error?.message : undefined) ??
    (gates.length > 0 ? gates.map((g) => `${g.title}: ${g.reason}`).join('; ') : undefined) ??
    (stderr || `release-cli exited with ${code}`);
  return fail(`${command} ${code === 3 ? 'blocked' : 'failed'}: ${reason}`);
}

/** The bundle's entry: runAction, with anything unexpected turned into an annotation too. */
export async function actionMain(options: ActionOptions): Promise<number> {
  try {
    return await runAction(options);
  } catch (e) {
    const redact = makeRedactor(options.env);
    options.log(
      annotation('error', redact(`relkit failed unexpectedly: ${(e as Error)?.message ?? String(e)}`), {
        title: 'relkit',
      }),
    );
    return 1;
  }
}
