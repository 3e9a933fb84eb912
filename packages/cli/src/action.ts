// The GitHub Action entry (action.yml → dist/index.js). It only translates: INPUT_* variables
// become a release-cli command line run in-process with --json, the JSON becomes step outputs
// and a Markdown summary, and errors become ::error:: annotations. No release logic here.
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseConfigText } from '@relkit/release-core';
import type { CliContext, Command } from './command.js';
import { main } from './main.js';
import { makeRedactor } from './redact.js';

export const ACTION_COMMANDS = [
  'status',
  'publish',
  'verify-publish',
  'promote',
  'rollback',
  'abandon',
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
  if (!version && c !== 'status') throw new ActionInputError(`input "version" is required for ${c}`);
  const configPath = input(env, 'config') || 'release.config.json';
  const argv: string[] =
    c === 'rollback' ? ['rollback', '--to', version] : [c, ...(version ? [version] : [])];
  argv.push('--json', '--config', configPath);
  const dryRun = bool(env, 'dry-run');
  if (c === 'publish' || c === 'promote' || c === 'rollback' || c === 'abandon') {
    argv.push(dryRun ? '--dry-run' : '--yes');
  } else if (dryRun) {
    throw new ActionInputError(`input "dry-run" does not apply to ${c} (it changes nothing anyway)`);
  }
  if (c === 'publish') {
    if (bool(env, 'candidate')) argv.push('--candidate');
    const stage = input(env, 'stage') || 'all';
    if (!['all', 'release', 'smoke'].includes(stage)) {
      throw new ActionInputError(`input "stage" must be all, release or smoke, got "${stage}"`);
    }
    if (stage === 'release') argv.push('--skip-smoke');
    if (stage === 'smoke') argv.push('--smoke-only');
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
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Step outputs from the CLI's JSON (shapes of status, plans with journals, verification). */
export function outputsFrom(command: ActionCommand, json: Json, code: number): ActionOutputs {
  const out: ActionOutputs = {};
  const plan = obj(json.plan);
  const result = obj(json.result);
  const ok = code === 0;
  const digests: Record<string, string> = {};
  switch (command) {
    case 'status': {
      out.phase = str(json.phase);
      out.verdict = str(json.verdict);
      const o = obj(json.observations);
      for (const i of arr(o.images)) {
        const v = obj(i.version);
        if (str(i.image) && str(v.digest)) digests[i.image as string] = v.digest as string;
      }
      out['release-url'] = str(obj(o.release).url);
      out['pr-merge-sha'] = str(obj(o.pullRequest).mergeCommitSha);
      break;
    }
    case 'verify-publish':
      out.verdict = str(json.verdict);
      if (ok) out.phase = 'published';
      for (const d of arr(json.digests))
        if (str(d.image) && str(d.digest)) digests[d.image as string] = d.digest as string;
      break;
    case 'publish':
      out.verdict = str(plan.verdict);
      out.tag = str(plan.tag);
      out['image-tag'] = str(plan.publishVersion);
      out.sha = str(result.sha) ?? dispatchedSha(plan);
      out['release-url'] = str(obj(result.release).url);
      // After the smoke half, the images were pushed and verified: the release is published (as a draft).
      if (ok && json.dryRun !== true) {
        out.phase =
          plan.kind === 'candidate' ? 'candidate' : plan.stage === 'smoke' ? 'published' : 'finalized';
      }
      break;
    default: {
      out.verdict = str(plan.verdict);
      for (const s of arr(plan.steps)) {
        const step = obj(s.step);
        if (step.kind === 'move-tag' && step.tag === 'latest' && str(step.image) && str(step.toDigest)) {
          digests[step.image as string] = step.toDigest as string;
        }
        if (step.kind === 'publish-release') out['release-url'] = str(step.url);
      }
      const merged = arr(result.journal).find((j) => j.kind === 'merge-pr' && j.status === 'done');
      out['pr-merge-sha'] = str(merged?.after);
      if (ok && json.dryRun !== true && command === 'promote') out.phase = 'promoted';
      if (ok && json.dryRun !== true && command === 'abandon') out.phase = 'abandoned';
    }
  }
  if (Object.keys(digests).length > 0) out.digests = JSON.stringify(digests);
  return out;
}

function dispatchedSha(plan: Json): string | undefined {
  for (const s of arr(plan.steps)) {
    const step = obj(s.step);
    if (str(step.sha)) return step.sha as string;
  }
  return undefined;
}

const MARK: Record<string, string> = { pass: '✅', fail: '❌', pending: '⏳' };
const cell = (s: unknown) =>
  String(s ?? '')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');

/** The Markdown summary of one run: verdict, gates (or checks) and steps. */
export function summaryMarkdown(title: string, json: Json, code: number): string {
  const plan = obj(json.plan);
  const result = obj(json.result);
  const lines = [`## ${title}`, ''];
  const verdict = str(json.verdict) ?? str(plan.verdict);
  const status = str(result.status) ?? (json.dryRun === true ? 'dry run, nothing changed' : undefined);
  lines.push(
    `**${code === 0 ? 'succeeded' : 'failed'}**` +
      (str(json.phase) ? ` · phase \`${json.phase as string}\`` : '') +
      (verdict ? ` · gates: ${verdict}` : '') +
      (status ? ` · ${status}` : ''),
    '',
  );
  const gates = arr(json.gates).length > 0 ? arr(json.gates) : arr(plan.gates);
  if (gates.length > 0) {
    lines.push('| | gate | reason |', '|---|---|---|');
    for (const g of gates) {
      lines.push(
        `| ${MARK[String(g.status)] ?? ''} | ${cell(g.title)}${g.subject ? ` \`${cell(g.subject)}\`` : ''} | ${cell(g.reason)} |`,
      );
    }
    lines.push('');
  }
  const journal = arr(result.journal);
  const steps = arr(plan.steps);
  if (steps.length > 0) {
    lines.push('| # | step | outcome |', '|---|---|---|');
    steps.forEach((s, i) => {
      const j = journal.find((x) => x.id === s.id);
      const outcome = j
        ? `${j.status === 'done' ? '✅' : j.status === 'skipped' ? '↷' : j.status === 'warning' ? '⚠️' : '❌'} ${cell(j.message)}`
        : s.done
          ? '↷ already done'
          : json.dryRun === true
            ? 'planned'
            : 'not run';
      lines.push(`| ${i + 1} | ${cell(s.description)} | ${outcome} |`);
    });
    lines.push('');
  }
  for (const d of arr(json.digests)) lines.push(`- \`${cell(d.image)}@${cell(d.digest)}\``);
  const error = obj(json.error);
  if (str(error.message)) lines.push('', `> ${cell(error.message)}`);
  if (str(obj(result.error).message)) lines.push('', `> ${cell(obj(result.error).message)}`);
  return `${lines.join('\n').trimEnd()}\n`;
}

function writeOutputs(env: Env, outputs: ActionOutputs): void {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  let text = '';
  for (const [k, v] of Object.entries(outputs)) {
    if (v === undefined) continue;
    const delimiter = `ghadelimiter_${randomUUID()}`;
    text += `${k}<<${delimiter}\n${v}\n${delimiter}\n`;
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
  try {
    parsed = actionArgv(env);
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
  const token = input(env, 'token');
  const cliEnv: Record<string, string | undefined> = {
    ...env,
    // One token for the GitHub API and ghcr.io (GITHUB_TOKEN with packages: write in Actions).
    ...(token ? { GITHUB_TOKEN: token } : {}),
    NO_COLOR: '1',
  };
  const out: string[] = [];
  const err: string[] = [];
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
    },
    options.commands,
  );
  const stdout = out.join('');
  const stderr = err.join('').trim();
  let json: Json = {};
  try {
    json = obj(JSON.parse(stdout) as unknown);
  } catch {
    // Not JSON (an error before any output): the annotation below carries stderr.
  }
  if (stdout) log(stdout.endsWith('\n') ? stdout : `${stdout}\n`);
  writeOutputs(env, outputsFrom(command, json, code));
  const title = `relkit ${command}${input(env, 'version') ? ` ${input(env, 'version')}` : ''}`;
  if (env.GITHUB_STEP_SUMMARY)
    appendFileSync(env.GITHUB_STEP_SUMMARY, redact(summaryMarkdown(title, json, code)));
  if (code === 0) return 0;
  // status reports; a release that is not promotable yet is not a failed step.
  if (command === 'status' && code === 3) {
    log(
      annotation('notice', `release is not promotable yet (phase ${String(json.phase)})`, {
        title: 'relkit',
      }),
    );
    return 0;
  }
  const gates = [...arr(json.gates), ...arr(obj(json.plan).gates)].filter((g) => g.status !== 'pass');
  const reason =
    str(obj(json.error).message) ??
    str(obj(obj(json.result).error).message) ??
    (gates.length > 0 ? gates.map((g) => `${String(g.title)}: ${String(g.reason)}`).join('; ') : undefined) ??
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
