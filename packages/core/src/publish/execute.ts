import { changelogOps } from '../changelog/publish-port.js';
import type { ReleaseConfig } from '../config.js';
import type { ExecutionEvent, JournalEntry, StepHandlers } from '../engine/plan.js';
import { runPlan, type RunPlanOptions } from '../engine/run.js';
import { readBackPoller } from '../engine/read-back.js';
import { ReleaseError } from '../errors.js';
import type { PublishPlan, PublishStep } from './plan.js';
import { SMOKE_EVENT_TYPE } from './plan.js';
import { statedVersion, withVersion } from './version-files.js';
import type { PublishPorts } from './ports.js';

/** A journal entry of a publish: the engine's entry, with publish's step kinds. */
export type PublishJournalEntry = JournalEntry<PublishStep['kind']>;

/** The engine's events, with publish's steps. */
export type PublishExecutionEvent = ExecutionEvent<PublishStep>;

export interface PublishResult {
  readonly kind: PublishPlan['kind'];
  readonly version: string;
  readonly tag: string;
  readonly status: 'succeeded' | 'failed';
  readonly journal: readonly PublishJournalEntry[];
  readonly error?: { readonly code: string; readonly message: string } | undefined;
  /** The commit the tag marks (the finalize commit for a final release). */
  readonly sha?: string | undefined;
  readonly release?: { readonly id: number; readonly url: string } | undefined;
  readonly correlationId: string;
}

export interface PublishExecuteOptions extends Omit<RunPlanOptions<PublishStep>, 'lock'> {
  /** Read-backs after ref writes (GitHub's read-after-write lag); 5 by default. */
  readonly readBackAttempts?: number;
}

/** What one step learns and a later one needs (the finalize sha is only known after the commit). */
interface RunContext {
  finalizeSha?: string | undefined;
  tagSha?: string | undefined;
  release?: { id: number; url: string } | undefined;
}

const fail = (message: string) => new ReleaseError('PLAN_FAILED', message);
const short = (sha: string) => sha.slice(0, 7);

function handlers(
  config: ReleaseConfig,
  ports: PublishPorts,
  ctx: RunContext,
  options: PublishExecuteOptions,
): StepHandlers<PublishStep> {
  const { forge } = ports;
  const ops = ports.changelog ?? changelogOps;
  const { signal } = options;
  // Polls a read until it shows the write (read-after-write lag); the last value read.
  const readBack = readBackPoller({ attempts: options.readBackAttempts, sleep: ports.sleep, signal });

  const head = async (branch: string) => {
    const b = await forge.observeBranch(branch, signal);
    if (b.state === 'error') throw fail(`could not read branch ${branch} (${b.code}): ${b.message}`);
    if (b.state === 'missing') throw fail(`branch ${branch} is gone`);
    return b.sha;
  };
  const file = async (path: string, ref: string) => {
    const f = await forge.readFile(path, ref, signal);
    if (f.state === 'error') throw fail(`could not read ${path} at ${ref} (${f.code}): ${f.message}`);
    if (f.state === 'missing') throw fail(`${path} does not exist at ${ref}`);
    return f.content;
  };
  const tbd = (version: string) => `## [${version}] - TBD`;
  const optionalFile = async (path: string, ref: string) => {
    const f = await forge.readFile(path, ref, signal);
    if (f.state === 'error') throw fail(`could not read ${path} at ${ref} (${f.code}): ${f.message}`);
    return f.state === 'found' ? f.content : undefined;
  };
  type Finalize = Extract<PublishStep, { kind: 'finalize-changelog' }>;
  /** --built-from: the finalize commit is not (or would not be) the commit the images came from. */
  const notBuilt = (s: Finalize, at: string | undefined) =>
    new ReleaseError(
      'GATE_NOT_MET',
      `${at === undefined ? `finalizing ${s.version} needs a new commit on ${s.branch}` : `the finalize commit of ${s.version} is ${at}`}, ` +
        `but this run built ${s.builtFrom ?? ''}: its images would not match the tag; nothing was tagged. ` +
        `Run the finalize stage (publish ${s.version} --stage finalize), then dispatch the publish workflow again on ${s.branch} after the finalize run`,
    );
  /** The mirrors and version files that do not (yet) hold their finalized content at `ref`. */
  const extrasBehind = async (s: Finalize, changelog: string, ref: string) => {
    const behind: string[] = [];
    for (const m of s.mirrors ?? []) if ((await optionalFile(m, ref)) !== changelog) behind.push(m);
    for (const v of s.versionFiles ?? []) {
      const text = await optionalFile(v.path, ref);
      if (text === undefined || statedVersion(text, v.pattern) !== s.version) behind.push(v.path);
    }
    return behind;
  };
  /** The mirrors and version files whose content the finalize commit must change. */
  const finalizedFiles = async (s: Finalize, changelog: string, ref: string) => {
    const out: { path: string; content: string }[] = [];
    for (const m of s.mirrors ?? [])
      if ((await optionalFile(m, ref)) !== changelog) out.push({ path: m, content: changelog });
    for (const v of s.versionFiles ?? []) {
      const text = await file(v.path, ref);
      const next = withVersion(text, v.path, v.pattern, s.version);
      if (next !== text) out.push({ path: v.path, content: next });
    }
    return out;
  };

  return {
    'finalize-changelog': {
      async isDone(s) {
        const sha = await head(s.branch);
        const text = await file(s.path, sha);
        const state = ops.sectionState(text, s.version);
        if (state !== 'dated' && state !== 'frozen')
          throw fail(`${s.path} at ${short(sha)} has no ${tbd(s.version)} section (${state})`);
        // Done only when every file of the finalize commit holds its finalized content.
        const behind = state === 'dated' ? await extrasBehind(s, text, sha) : [];
        const done = state === 'dated' && behind.length === 0;
        if (done && s.builtFrom !== undefined && sha !== s.builtFrom) throw notBuilt(s, sha);
        if (done) ctx.finalizeSha = sha;
        const lagging = behind.length > 0 ? `, ${behind.join(', ')} not yet` : '';
        return { done, state: `${state} at ${short(sha)}${lagging}` };
      },
      async act(s) {
        // Computed against the head read now; the adapter refuses the commit if the branch moves meanwhile.
        const parent = await head(s.branch);
        if (s.builtFrom !== undefined) throw notBuilt(s, undefined);
        const before = await file(s.path, parent);
        const after = ops.finalize(before, {
          version: s.version,
          date: s.date,
          repository: config.repository,
          tagPrefix: config.tagPrefix,
        });
        const extras = (s.mirrors?.length ?? 0) + (s.versionFiles?.length ?? 0) > 0;
        const message = `chore: finalize release ${s.version}\n\nSet release date to ${s.date}.`;
        let sha: string;
        if (!extras) {
          if (after === before) throw fail(`finalizing ${s.version} left ${s.path} unchanged`);
          ({ sha } = await forge.commitFile(
            { branch: s.branch, path: s.path, content: after, parentSha: parent, message },
            signal,
          ));
        } else {
          const files = await finalizedFiles(s, after, parent);
          const writes = [...(after === before ? [] : [{ path: s.path, content: after }]), ...files];
          if (writes.length === 0) throw fail(`finalizing ${s.version} left every file unchanged`);
          if (!forge.commitFiles)
            throw fail(
              `this forge cannot commit several files at once (${writes.map((w) => w.path).join(', ')})`,
            );
          ({ sha } = await forge.commitFiles(
            {
              branch: s.branch,
              files: writes,
              parentSha: parent,
              message: `${message}\nAlso updated: ${writes
                .filter((w) => w.path !== s.path)
                .map((w) => w.path)
                .join(', ')}.`,
            },
            signal,
          ));
        }
        // The #455 check: an API commit that "succeeded" may have committed nothing. Read the file
        // back at the commit it returned and require the date, not TBD.
        const written = await file(s.path, sha);
        if (written.includes(tbd(s.version)) || ops.sectionState(written, s.version) !== 'dated') {
          throw fail(
            `${s.path} still contains "${tbd(s.version)}" at ${short(sha)} after the finalize commit; nothing was tagged`,
          );
        }
        // Every mirror and version file too, at that same commit.
        const behind = await extrasBehind(s, written, sha);
        if (behind.length > 0)
          throw fail(
            `${behind.join(', ')} not finalized at ${short(sha)} after the finalize commit; nothing was tagged`,
          );
        // And the branch must have moved off the parent (the tag and the images use this sha).
        const now = await readBack(
          () => head(s.branch),
          (h) => h !== parent,
        );
        if (now === parent)
          throw fail(`${s.branch} still points at ${short(parent)} after the finalize commit ${short(sha)}`);
        ctx.finalizeSha = sha;
        return { before: parent, after: sha, message: `dated ${s.version} as ${s.date} in ${short(sha)}` };
      },
    },
    'create-tag': {
      async isDone(s) {
        const want = s.sha ?? ctx.finalizeSha;
        const t = await forge.observeTag(s.tag, signal);
        if (t.state === 'error') throw fail(`could not read tag ${s.tag} (${t.code}): ${t.message}`);
        if (t.state === 'missing') return { done: false, state: 'missing' };
        if (want !== undefined && t.sha !== want) {
          throw fail(
            `tag ${s.tag} already exists at ${short(t.sha)}, not at ${short(want)}; tags are never moved (delete it by hand if it is wrong)`,
          );
        }
        ctx.tagSha = t.sha;
        return { done: true, state: t.sha };
      },
      async act(s) {
        const sha = s.sha ?? ctx.finalizeSha;
        if (sha === undefined)
          throw fail(`the commit to tag ${s.tag} is unknown (the finalize step did not run)`);
        try {
          await forge.createTag(s.tag, sha, signal);
        } catch (e) {
          // Losing a race is fine only when the winner tagged the same commit.
          const t = await forge.observeTag(s.tag, signal);
          if (!(t.state === 'found' && t.sha === sha)) throw e;
        }
        const t = await readBack(
          () => forge.observeTag(s.tag, signal),
          (x) => x.state === 'found',
        );
        if (t.state !== 'found' || t.sha !== sha) {
          throw fail(
            `tag ${s.tag} reads back as ${t.state === 'found' ? short(t.sha) : t.state}, expected ${short(sha)}`,
          );
        }
        ctx.tagSha = sha;
        return { after: sha, message: `tagged ${short(sha)} as ${s.tag}` };
      },
    },
    'create-draft-release': {
      async isDone(s) {
        const r = await forge.observeRelease(s.tag, signal);
        if (r.state === 'error') throw fail(`could not read release ${s.tag} (${r.code}): ${r.message}`);
        if (r.state === 'published')
          throw fail(`release ${s.tag} is already published; publish never touches a published release`);
        if (r.state === 'draft') ctx.release = { id: r.id, url: r.url };
        return { done: r.state === 'draft', state: r.state };
      },
      async act(s) {
        const ref = ctx.tagSha ?? ctx.finalizeSha ?? s.tag;
        const text = await file(config.changelog, ref);
        if (ops.sectionState(text, s.version) !== 'dated') {
          throw fail(
            `${config.changelog} at ${short(ref)} is not finalized for ${s.version}; not creating the release`,
          );
        }
        const notes = ops.notes(text, s.version);
        await forge.createDraftRelease({ tag: s.tag, name: s.name, notes, prerelease: s.prerelease }, signal);
        const r = await readBack(
          () => forge.observeRelease(s.tag, signal),
          (x) => x.state === 'draft',
        );
        if (r.state !== 'draft')
          throw fail(`release ${s.tag} reads back as ${r.state} after creating the draft`);
        ctx.release = { id: r.id, url: r.url };
        return { after: 'draft', message: `draft release ${r.url}` };
      },
    },
    'dispatch-smoke': {
      async isDone(s) {
        if (s.releaseKind === 'candidate') return { done: false };
        // The downstream release for this tag exists: the dispatch evidently happened.
        const o = await forge.observeSmoke(s.tag, signal);
        const done = o.state === 'draft' || o.state === 'prerelease' || o.state === 'published';
        return { done, state: o.state };
      },
      async act(s) {
        const payload: Record<string, string> = {
          tag: s.tag,
          release_kind: s.releaseKind,
          event_type: SMOKE_EVENT_TYPE,
          source_repo: config.repository,
          source_workflow: s.run.workflow ?? '',
          source_run_id: s.run.id,
          source_run_url: s.run.url ?? '',
          source_sha: s.sha ?? ctx.tagSha ?? ctx.finalizeSha ?? '',
          correlation_id: s.correlationId,
        };
        await forge.dispatch(
          { repository: s.repository, eventType: SMOKE_EVENT_TYPE, clientPayload: payload },
          signal,
        );
        return {
          after: s.correlationId,
          message: `dispatched ${SMOKE_EVENT_TYPE} to ${s.repository} (${s.correlationId})`,
        };
      },
    },
  };
}

/**
 * Runs a publish plan on the engine's executor: every gate must pass (checked again there), the
 * shared release lock keeps publish, promote and abandon apart, and each step asks the world
 * whether it is done first, so a re-run after a crash anywhere converges on the same end state.
 */
export async function executePublish(
  config: ReleaseConfig,
  plan: PublishPlan,
  ports: PublishPorts,
  options: PublishExecuteOptions = {},
): Promise<PublishResult> {
  const ctx: RunContext = {};
  const run = await runPlan(plan, handlers(config, ports, ctx, options), ports, options);
  return {
    kind: plan.kind,
    version: plan.version,
    tag: plan.tag,
    ...run,
    sha: ctx.tagSha ?? ctx.finalizeSha,
    release: ctx.release,
    correlationId: plan.correlationId,
  };
}
