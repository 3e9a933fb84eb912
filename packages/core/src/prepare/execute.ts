import { freeze } from '../changelog/freeze.js';
import { notes, truncateNotes } from '../changelog/notes.js';
import type { ReleaseConfig } from '../config.js';
import type { ExecutionEvent, JournalEntry, StepHandlers } from '../engine/plan.js';
import { runPlan, type RunPlanOptions } from '../engine/run.js';
import { readBackPoller } from '../engine/read-back.js';
import { ReleaseError } from '../errors.js';
import { frozenState } from './gates.js';
import type { PreparePlan, PrepareStep } from './plan.js';
import type { PreparePorts } from './ports.js';

export type PrepareJournalEntry = JournalEntry<PrepareStep['kind']>;
export type PrepareExecutionEvent = ExecutionEvent<PrepareStep>;

export interface PrepareResult {
  readonly kind: 'prepare';
  readonly version: string;
  readonly status: 'succeeded' | 'failed';
  readonly journal: readonly PrepareJournalEntry[];
  readonly error?: { readonly code: string; readonly message: string } | undefined;
  /** The commit release/X.Y.Z starts at (the freeze commit). */
  readonly sha?: string | undefined;
  readonly pullRequest?: { readonly number: number; readonly url: string } | undefined;
}

export interface PrepareExecuteOptions extends Omit<RunPlanOptions<PrepareStep>, 'lockHeld'> {
  /** Read-backs after ref writes (GitHub's read-after-write lag); 5 by default. */
  readonly readBackAttempts?: number;
}

/** GitHub caps a PR body at 65,536 characters (#810); the origin cuts at 65,000. */
export const PULL_REQUEST_BODY_LIMIT = 65_000;

interface RunContext {
  freezeSha?: string | undefined;
  pullRequest?: { number: number; url: string } | undefined;
}

const fail = (message: string) => new ReleaseError('PLAN_FAILED', message);
const short = (sha: string) => sha.slice(0, 7);

/** The release PR's body: the origin's wording, then the frozen section, within GitHub's limit. */
export function releasePullRequestBody(version: string, base: string, section: string): string {
  const head = `# Release ${version}\n\nThis PR prepares release ${version} for merge to ${base}.\n\n`;
  return head + truncateNotes(section, PULL_REQUEST_BODY_LIMIT - head.length).body;
}

function handlers(
  config: ReleaseConfig,
  ports: PreparePorts,
  ctx: RunContext,
  options: PrepareExecuteOptions,
): StepHandlers<PrepareStep> {
  const { forge } = ports;
  const { signal } = options;
  // Polls a read until it shows the write (read-after-write lag); the last value read.
  const readBack = readBackPoller({ attempts: options.readBackAttempts, sleep: ports.sleep, signal });
  const head = async (branch: string) => {
    const b = await forge.observeBranch(branch, signal);
    if (b.state === 'error') throw fail(`could not read branch ${branch} (${b.code}): ${b.message}`);
    return b.state === 'found' ? b.sha : undefined;
  };
  const file = async (path: string, ref: string) => {
    const f = await forge.readFile(path, ref, signal);
    if (f.state === 'error') throw fail(`could not read ${path} at ${ref} (${f.code}): ${f.message}`);
    if (f.state === 'missing') throw fail(`${path} does not exist at ${ref}`);
    return f.content;
  };
  const pr = async (h: string, b: string) => {
    const p = await forge.findPullRequest(h, b, signal);
    if (p.state === 'error') throw fail(`could not look for the PR ${h} → ${b} (${p.code}): ${p.message}`);
    return p;
  };

  return {
    'freeze-changelog': {
      async isDone(s) {
        const sha = await head(s.branch);
        if (sha === undefined) throw fail(`branch ${s.branch} is gone`);
        const state = frozenState(await file(s.path, sha), s.version);
        // Frozen (or finalized since) at the head: the release branch starts here.
        const done = state === 'frozen' || state === 'dated';
        if (done) ctx.freezeSha = sha;
        return { done, state: `${state} at ${short(sha)}` };
      },
      async act(s) {
        // Computed against the head read now; the ref update is refused if the branch moves meanwhile.
        const parent = await head(s.branch);
        if (parent === undefined) throw fail(`branch ${s.branch} is gone`);
        const before = await file(s.path, parent);
        const after = freeze(before, s.version, { tagPrefix: s.tagPrefix });
        if (after === before) throw fail(`freezing ${s.version} left ${s.path} unchanged`);
        const { sha } = await forge.commitFiles(
          {
            branch: s.branch,
            files: [{ path: s.path, content: after }],
            parentSha: parent,
            message: `chore: freeze changelog for release ${s.version}`,
          },
          signal,
        );
        // An API commit that "succeeded" may have committed nothing (#455): read it back.
        if (frozenState(await file(s.path, sha), s.version) !== 'frozen')
          throw fail(`${s.path} at ${short(sha)} has no ## [${s.version}] - TBD after the freeze commit`);
        const now = await readBack(
          () => head(s.branch),
          (h) => h !== parent,
        );
        if (now === parent)
          throw fail(`${s.branch} still points at ${short(parent)} after the freeze commit ${short(sha)}`);
        ctx.freezeSha = sha;
        return { before: parent, after: sha, message: `froze ${s.version} on ${s.branch} in ${short(sha)}` };
      },
    },
    'create-release-branch': {
      async isDone(s) {
        const sha = await head(s.branch);
        return sha === undefined ? { done: false, state: 'missing' } : { done: true, state: sha };
      },
      async act(s) {
        const sha = ctx.freezeSha ?? s.sha;
        if (sha === undefined || sha === null)
          throw fail(`the commit to cut ${s.branch} from is unknown (the freeze step did not run)`);
        await forge.createBranch(s.branch, sha, signal);
        const now = await readBack(
          () => head(s.branch),
          (h) => h === sha,
        );
        if (now !== sha)
          throw fail(`${s.branch} reads back at ${now ? short(now) : 'nothing'}, expected ${short(sha)}`);
        return { after: sha, message: `created ${s.branch} at ${short(sha)} (from ${s.from})` };
      },
    },
    'open-release-pr': {
      async isDone(s) {
        const p = await pr(s.head, s.base);
        if (p.state === 'missing') return { done: false, state: 'missing' };
        if (p.state !== 'open')
          throw fail(`the PR ${s.head} → ${s.base} (#${p.number}) is ${p.state}; not opening another`);
        ctx.pullRequest = { number: p.number, url: p.url };
        return { done: true, state: `#${p.number}` };
      },
      async act(s) {
        const text = await file(s.path, s.head);
        const body = releasePullRequestBody(s.version, s.base, notes(text, s.version));
        const opened = await forge.openPullRequest(
          { head: s.head, base: s.base, title: s.title, body, draft: true },
          signal,
        );
        const p = await readBack(
          () => pr(s.head, s.base),
          (x) => x.state === 'open',
        );
        if (p.state !== 'open')
          throw fail(`the PR #${opened.number} ${s.head} → ${s.base} reads back as ${p.state}`);
        ctx.pullRequest = { number: p.number, url: p.url };
        return { after: `#${p.number}`, message: `opened draft PR #${p.number} ${p.url}` };
      },
    },
  };
}

/**
 * Runs a prepare plan on the engine's executor (gates re-checked, the release lock, each step
 * asks the world first), so a re-run after a crash anywhere resumes and a finished one is a no-op.
 */
export async function executePrepare(
  config: ReleaseConfig,
  plan: PreparePlan,
  ports: PreparePorts,
  options: PrepareExecuteOptions = {},
): Promise<PrepareResult> {
  const ctx: RunContext = {};
  const run = await runPlan(plan, handlers(config, ports, ctx, options), ports, options);
  return { kind: 'prepare', version: plan.version, ...run, sha: ctx.freezeSha, pullRequest: ctx.pullRequest };
}
