// Runs the relkit steps of a generated workflow the way GitHub runs them: jobs in `needs` order,
// each relkit step as `node dist/index.js` with INPUT_<NAME> for every `with:` input (and the
// action.yml defaults for the rest), `${{ … }}` expressions substituted from an explicit table.
// An expression not in the table fails the run: a new input in a workflow is never skipped.
// Steps that are not relkit's are CI's (checkout, build, cosign, attest): the world's `ciJob`
// does what they would, once per job, before the job's relkit steps.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { readOutputs, repoRoot } from '../__tests__/actions-env.js';

export interface WorkflowStep {
  readonly id?: string;
  readonly name?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly if?: string;
  readonly with?: Readonly<Record<string, unknown>>;
}
export interface WorkflowJob {
  readonly needs?: string | readonly string[];
  readonly if?: string;
  readonly outputs?: Readonly<Record<string, string>>;
  readonly steps?: readonly WorkflowStep[];
}
export interface Workflow {
  readonly name: string;
  readonly jobs: Readonly<Record<string, WorkflowJob>>;
}

export const parseWorkflow = (content: string) => parse(content) as Workflow;

/** The relkit commands a workflow's steps run (`with: command`), in job order. */
export function relkitCommands(wf: Workflow, action: string): string[] {
  return jobOrder(wf).flatMap((j) =>
    (wf.jobs[j]!.steps ?? [])
      .filter((s) => s.uses?.split('@')[0] === action)
      .map((s) => String(s.with?.command ?? '')),
  );
}

/** The workflow_dispatch inputs: the given values, else each declared input's default. */
export function dispatchInputs(
  wf: Workflow & { readonly on?: unknown },
  values: Readonly<Record<string, string>>,
): Record<string, string> {
  const declared =
    (wf.on as { workflow_dispatch?: { inputs?: Record<string, { default?: unknown }> } } | undefined)
      ?.workflow_dispatch?.inputs ?? {};
  const out: Record<string, string> = {};
  for (const [name, d] of Object.entries(declared)) {
    const v = values[name] ?? (d.default === undefined ? undefined : String(d.default));
    if (v === undefined) throw new Error(`${wf.name}: no value for the dispatch input "${name}"`);
    out[name] = v;
  }
  return out;
}

/** One relkit step as it ran. */
export interface StepRun {
  readonly job: string;
  readonly step: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly code: number;
  readonly stdout: string;
  readonly outputs: Readonly<Record<string, string>>;
  readonly summary: string;
}

export interface RunnerWorld {
  /** The relkit action as the workflows name it (`uses:` up to the `@`). */
  readonly action: string;
  readonly repository: string;
  readonly workspace: string;
  /** GITHUB_REF and GITHUB_SHA of the dispatch. */
  readonly ref: string;
  readonly sha: string;
  /** Runner environment every step shares (API URL, DOCKER_CONFIG). */
  readonly env: Readonly<Record<string, string>>;
  /** The workflow's GITHUB_TOKEN (`secrets.GITHUB_TOKEN`, `github.token`). */
  readonly workflowToken: string;
  /** The token an actions/create-github-app-token step mints for its `with:`. */
  appToken(withInputs: Readonly<Record<string, unknown>>): string;
  /** What the job's other steps do (build, sign), before its relkit steps; `image-tag` evaluated. */
  ciJob?(job: string, definition: WorkflowJob, evaluate: (text: string) => string): Promise<void>;
  /**
   * A shell step that dispatches the workflow again (`gh workflow run`, the final's second run);
   * the test runs the workflow again once this run is over. Without it such a step fails the run.
   */
  redispatch?(step: WorkflowStep): void;
}

const APP_TOKEN_ACTION = 'actions/create-github-app-token';
const BUNDLE = () => join(repoRoot(), 'dist', 'index.js');

/** action.yml's inputs with their defaults: what the runner sets when a step leaves them out. */
function actionDefaults(): Record<string, string> {
  const action = parse(readFileSync(join(repoRoot(), 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: unknown }>;
  };
  return Object.fromEntries(Object.entries(action.inputs).map(([k, v]) => [k, String(v.default ?? '')]));
}

/** Jobs in an order that honours `needs` (YAML order among the ready ones). */
function jobOrder(wf: Workflow): string[] {
  const left = Object.keys(wf.jobs);
  const done: string[] = [];
  while (left.length > 0) {
    const i = left.findIndex((j) => {
      const needs = wf.jobs[j]!.needs;
      return (needs === undefined ? [] : typeof needs === 'string' ? [needs] : needs).every((n) =>
        done.includes(n),
      );
    });
    if (i < 0) throw new Error(`${wf.name}: jobs with unmet needs: ${left.join(', ')}`);
    done.push(...left.splice(i, 1));
  }
  return done;
}

/**
 * Runs every relkit step of `wf` for a dispatch with these `inputs` (workflow_dispatch values as
 * strings), and returns each step's run. A step that fails stops the workflow, as in GitHub.
 */
export async function runWorkflow(
  wf: Workflow,
  inputs: Readonly<Record<string, string>>,
  world: RunnerWorld,
): Promise<StepRun[]> {
  const defaults = actionDefaults();
  const jobOutputs: Record<string, Record<string, string>> = {};
  const runs: StepRun[] = [];
  const skipped = new Set<string>();
  for (const jobId of jobOrder(wf)) {
    const job = wf.jobs[jobId]!;
    const stepOutputs: Record<string, Record<string, string>> = {};
    const where = (what: string) => `${wf.name} › ${jobId} › ${what}`;
    // The substitution table: every expression the generated workflows pass to relkit.
    const value = (expr: string, at: string): string => {
      let m: RegExpExecArray | null;
      if ((m = /^inputs\.([\w-]+)$/.exec(expr))) {
        if (!(m[1]! in inputs)) throw new Error(`${at}: workflow input "${m[1]}" not dispatched`);
        return inputs[m[1]!]!;
      }
      if ((m = /^!inputs\.([\w-]+)$/.exec(expr))) return String(value(`inputs.${m[1]}`, at) !== 'true');
      if ((m = /^inputs\.([\w-]+) (==|!=) '([^']*)'$/.exec(expr)))
        return String((value(`inputs.${m[1]}`, at) === m[3]) === (m[2] === '=='));
      if ((m = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr))) {
        // As in GitHub: a skipped step's outputs (or one it did not set) are empty; a step id
        // that is not in the job is a mistake in the workflow.
        if (!(job.steps ?? []).some((s) => s.id === m![1]))
          throw new Error(`${at}: no step ${m[1]} in job ${jobId}`);
        return stepOutputs[m[1]!]?.[m[2]!] ?? '';
      }
      if ((m = /^needs\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr))) {
        const v = jobOutputs[m[1]!]?.[m[2]!];
        if (v === undefined) throw new Error(`${at}: no output ${m[2]} of job ${m[1]}`);
        return v;
      }
      if (expr === 'secrets.GITHUB_TOKEN' || expr === 'github.token') return world.workflowToken;
      if (expr === 'github.sha') return world.sha;
      if (expr === 'github.ref') return world.ref;
      if (expr === 'github.repository') return world.repository;
      // A failed step stops the workflow here, so a job that runs at all runs after success.
      if (expr === 'success()') return 'true';
      throw new Error(`${at}: unknown expression \${{ ${expr} }}: add it to the substitution table`);
    };
    const evaluate = (text: string, at = where('expression')) =>
      text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => value(expr, at));
    // `if:` conditions: terms joined by &&, each `a == b`, `a != b`, `!a` or `a` ('…' literals;
    // the rest from the table). `if:` may leave out the ${{ }} (GitHub evaluates it either way).
    const operand = (x: string, at: string) => /^'([^']*)'$/.exec(x)?.[1] ?? value(x, at);
    const holds = (term: string, at: string): boolean => {
      const m = /^(.+?)\s*(==|!=)\s*(.+)$/.exec(term);
      if (m) return (operand(m[1]!, at) === operand(m[3]!, at)) === (m[2] === '==');
      if (term.startsWith('!')) return !holds(term.slice(1).trim(), at);
      return !['', 'false', '0'].includes(operand(term, at));
    };
    const runsIf = (condition: string | undefined, at: string) =>
      condition === undefined ||
      condition
        .replace(/^\s*\$\{\{\s*|\s*\}\}\s*$/g, '')
        .split('&&')
        .every((term) => holds(term.trim(), at));

    // As in GitHub: a job whose needs were skipped is skipped (no workflow here uses always()).
    const needs = job.needs === undefined ? [] : typeof job.needs === 'string' ? [job.needs] : job.needs;
    if (needs.some((n) => skipped.has(n)) || !runsIf(job.if, where('if'))) {
      skipped.add(jobId);
      continue;
    }
    await world.ciJob?.(jobId, job, (t) => evaluate(t, where('ci')));
    for (const [index, step] of (job.steps ?? []).entries()) {
      const label = step.name ?? step.id ?? step.uses ?? `step ${index + 1}`;
      if (!runsIf(step.if, where(`${label} › if`))) continue;
      if (step.run !== undefined && /^\s*gh workflow run /m.test(step.run)) {
        if (!world.redispatch)
          throw new Error(`${where(label)}: re-dispatches the workflow; nothing runs it`);
        world.redispatch(step);
        // The outputs the script writes literally (echo "name=value" >> "$GITHUB_OUTPUT").
        const written = [...step.run.matchAll(/echo "([\w-]+)=([^"$]*)" >> "\$GITHUB_OUTPUT"/g)];
        if (step.id) stepOutputs[step.id] = Object.fromEntries(written.map((w) => [w[1]!, w[2]!]));
        continue;
      }
      if (step.uses?.startsWith(`${APP_TOKEN_ACTION}@`)) {
        if (step.id) stepOutputs[step.id] = { token: world.appToken(step.with ?? {}) };
        continue;
      }
      if (step.uses?.split('@')[0] !== world.action) continue;
      const given = Object.fromEntries(
        Object.entries(step.with ?? {}).map(([k, v]) => [k, evaluate(String(v), where(label))]),
      );
      const all = { ...defaults, ...given };
      for (const [k, v] of Object.entries(defaults)) if (!(k in given)) all[k] = evaluate(v, where(label));
      const run = await runBundle(world, all);
      runs.push({ job: jobId, step: label, inputs: given, ...run });
      if (run.code !== 0)
        throw new Error(`${where(label)} failed (exit ${run.code}):\n${run.stdout}\n${run.summary}`);
      if (step.id) stepOutputs[step.id] = run.outputs;
    }
    jobOutputs[jobId] = Object.fromEntries(
      Object.entries(job.outputs ?? {}).map(([k, v]) => [k, evaluate(v, where(`outputs.${k}`))]),
    );
  }
  return runs;
}

/** node dist/index.js with INPUT_<NAME> per input, as GitHub's runner starts a node24 action. */
async function runBundle(world: RunnerWorld, inputs: Readonly<Record<string, string>>) {
  const runner = mkdtempSync(join(tmpdir(), 'relkit-runner-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: runner,
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: world.workspace,
    GITHUB_OUTPUT: join(runner, 'output'),
    GITHUB_STEP_SUMMARY: join(runner, 'summary.md'),
    GITHUB_RUN_ID: '4242',
    GITHUB_REPOSITORY: world.repository,
    GITHUB_REF: world.ref,
    GITHUB_SHA: world.sha,
    ...world.env,
  };
  // @actions/core's naming: spaces → _, upper case; dashes stay.
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  const r = await promisify(execFile)(process.execPath, [BUNDLE()], { env, cwd: world.workspace }).then(
    (x) => ({ code: 0, stdout: x.stdout }),
    (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
  );
  const summary = existsSync(env.GITHUB_STEP_SUMMARY!) ? readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8') : '';
  return { ...r, outputs: readOutputs(env.GITHUB_OUTPUT!), summary };
}
