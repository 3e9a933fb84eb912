import type { ReleaseConfig } from '../config.js';
import type {
  ExecutionEvent as EngineEvent,
  JournalEntry as EngineEntry,
  StepHandlers,
} from '../engine/plan.js';
import { runPlan, type RunPlanOptions } from '../engine/run.js';
import { cleanupImage } from '../cleanup/run.js';
import { ReleaseError } from '../errors.js';
import type { ReleasePorts } from '../ports.js';
import { syncIntegrationBranch } from '../prepare/sync.js';
import { formatTag, parseVersion, type ReleaseVersion } from '../version.js';
import { pullRequestGates, summarizeGates } from './gates.js';
import type { Plan, Step } from './plan.js';

export { acquireReleaseLock } from '../engine/lock.js';
export type { HeldLock } from '../engine/lock.js';

/** A journal entry of a promote, rollback or abandon. */
export type JournalEntry = EngineEntry<Step['kind']>;

/** What the executor reports while it runs a promote, rollback or abandon. */
export type ExecutionEvent = EngineEvent<Step>;

export interface ExecutionResult {
  readonly kind: Plan['kind'];
  readonly version: string;
  readonly status: 'succeeded' | 'failed';
  readonly journal: readonly JournalEntry[];
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

export type ExecuteOptions = RunPlanOptions<Step>;

/**
 * How each kind of step acts and checks its outcome. A step the plan saw as not done is
 * re-checked only where a second write would hurt (an immutable-tag registry refuses even a
 * same-digest PUT); the forge's writes are idempotent (publishing a published release, merging
 * a merged PR) and read back by the adapter.
 */
function handlers(
  config: ReleaseConfig,
  ports: ReleasePorts,
  version: ReleaseVersion,
  signal?: AbortSignal,
): StepHandlers<Step> {
  const { registry, forge, signatures } = ports;
  const manifestDigest = async (image: string, ref: string) => {
    const m = await registry.observeManifest(image, ref, signal);
    if (m.state === 'error')
      throw new ReleaseError('PLAN_FAILED', `could not read ${image}:${ref} (${m.code}): ${m.message}`);
    return m.state === 'found' ? m.digest : null;
  };
  return {
    'move-tag': {
      async act(s) {
        // The guard read and whatever the write needs (a push token) go at the same time.
        registry.prepareWrite?.(s.image, signal);
        const before = await manifestDigest(s.image, s.tag);
        if (before === s.toDigest) return { alreadyDone: true, after: before, message: 'already there' };
        await registry.retag(s.image, s.toDigest, s.tag, { signal, checked: true });
        // Read back: a write that "succeeded" but changed nothing is the origin's #455 in another form.
        const after = await manifestDigest(s.image, s.tag);
        if (after !== s.toDigest) {
          throw new ReleaseError(
            'PLAN_FAILED',
            `${s.image}:${s.tag} reads back as ${after ?? 'missing'} after the retag, expected ${s.toDigest}`,
          );
        }
        return { before: before ?? undefined, after, message: `${s.image}:${s.tag} → ${s.toDigest}` };
      },
    },
    'publish-release': {
      async act(s) {
        // GitHub refuses make_latest on a prerelease (422 "Latest release cannot be draft or
        // prerelease"): only a final version becomes the latest release.
        const makeLatest = version.candidate === undefined;
        const r = await forge.publishRelease(s.tag, { makeLatest, id: s.releaseId }, signal);
        if (r.state !== 'published') {
          throw new ReleaseError('PLAN_FAILED', `release ${s.tag} reads back as ${r.state} after publishing`);
        }
        return { before: 'draft', after: 'published', message: `published ${r.url}` };
      },
    },
    'merge-pr': {
      async act(s) {
        // Merging is irreversible: every PR check runs again right before it, against fresh state.
        const pr = await forge.observePullRequest(s.head, s.base, signal);
        if (pr.state === 'merged')
          return { alreadyDone: true, after: pr.mergeCommitSha, message: 'already merged' };
        const gates = pullRequestGates(config, { pullRequest: pr });
        if (summarizeGates(gates) !== 'pass') {
          const bad = gates.filter((g) => g.status !== 'pass').map((g) => `${g.title}: ${g.reason}`);
          throw new ReleaseError('GATE_NOT_MET', `PR #${s.number} is no longer mergeable: ${bad.join('; ')}`);
        }
        if (pr.state === 'open' && pr.headSha !== s.headSha) {
          throw new ReleaseError(
            'GATE_NOT_MET',
            `PR #${s.number} moved from ${s.headSha.slice(0, 7)} to ${pr.headSha.slice(0, 7)} since the gates ran; run promote again to re-check it`,
          );
        }
        // The adapter merges with the sha guard and reads the merged PR back.
        const { sha } = await forge.mergePullRequest(
          s.number,
          { sha: s.headSha, ...(s.method ? { method: s.method } : {}), checked: true },
          signal,
        );
        return { before: s.headSha, after: sha, message: `merged #${s.number} as ${sha.slice(0, 7)}` };
      },
    },
    'delete-candidate-image': {
      async act(s) {
        // Fresh safety check: never delete a digest that the version or latest names now.
        const [current, v, l] = await Promise.all([
          manifestDigest(s.image, s.tag),
          manifestDigest(s.image, formatTag(version)),
          manifestDigest(s.image, 'latest'),
        ]);
        if (current !== s.digest)
          return { alreadyDone: true, message: `${s.image}:${s.tag} is gone or moved` };
        if (s.digest === v || s.digest === l) {
          return {
            message: `kept ${s.image}:${s.tag}: its digest is also ${s.digest === v ? version : 'latest'}`,
          };
        }
        const sigTags = (await signatures.signatureTags?.(s.image, s.digest, signal)) ?? [];
        for (const t of sigTags) {
          const d = await manifestDigest(s.image, t);
          if (d) await registry.deleteManifest(s.image, d, signal);
        }
        await registry.deleteManifest(s.image, s.digest, signal);
        return {
          before: s.digest,
          message: `removed ${s.image}:${s.tag} and ${sigTags.length} signature tag(s)`,
        };
      },
    },
    'delete-candidate-versions': {
      async act(s) {
        const r = await cleanupImage(config, ports, s.image, version, { signal });
        const problem = r.error ?? r.failures[0];
        if (problem) throw new ReleaseError('PLAN_FAILED', `${s.image}: ${problem.message}`);
        return {
          message: `removed ${r.deleted.length} RC package version(s) of ${s.image}; kept ${r.keep.length}`,
        };
      },
    },
    'delete-draft-release': {
      async act(s) {
        const r = await forge.observeRelease(s.tag, signal);
        if (r.state === 'published') {
          throw new ReleaseError(
            'ABANDON_REFUSED',
            `release ${s.tag} was published meanwhile; not deleting it`,
          );
        }
        if (r.state === 'missing') return { alreadyDone: true, message: 'already deleted' };
        await forge.deleteDraftRelease(s.tag, signal);
        return { before: 'draft', after: 'deleted', message: `deleted draft release ${s.tag}` };
      },
    },
    'delete-tag': {
      async act(s) {
        // The adapter re-checks that no release (draft or published) uses the tag.
        await forge.deleteTag(s.tag, signal);
        return { message: `deleted tag ${s.tag}` };
      },
    },
    'close-pr': {
      async act(s) {
        await forge.closePullRequest(s.number, s.comment, signal);
        return { message: `closed PR #${s.number}` };
      },
    },
    'delete-branch': {
      async act(s) {
        await forge.deleteBranch(s.branch, signal);
        return { message: `deleted branch ${s.branch}` };
      },
    },
    'sync-integration-branch': {
      act: (s) => syncIntegrationBranch(ports.branches, s, signal),
    },
  };
}

/**
 * Runs a promote, rollback or abandon plan on the engine's executor: gates re-checked, the
 * release lock (unless the caller passes the `lock` it holds), done steps skipped, best-effort cleanup, a journal.
 */
export async function execute(
  config: ReleaseConfig,
  plan: Plan,
  ports: ReleasePorts,
  options: ExecuteOptions = {},
): Promise<ExecutionResult> {
  // A plan is data (a front end may have shown it, or kept it): its version is read once here.
  const version = parseVersion(plan.version);
  const run = await runPlan(plan, handlers(config, ports, version, options.signal), ports, options);
  return { kind: plan.kind, version: plan.version, ...run };
}
