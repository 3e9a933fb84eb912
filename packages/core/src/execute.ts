import type { ReleaseConfig } from './config.js';
import { ReleaseError } from './errors.js';
import { pullRequestGates, summarizeGates } from './gates.js';
import { asObservationError } from './observe.js';
import type { Observations } from './observations.js';
import type { Plan, PlannedStep, Step } from './plan.js';
import type { ReleasePorts } from './ports.js';

export interface JournalEntry {
  readonly id: string;
  readonly kind: Step['kind'];
  readonly status: 'done' | 'skipped' | 'failed' | 'warning';
  readonly message: string;
  /** The state before and after, e.g. the digest a tag had and has. */
  readonly before?: string | undefined;
  readonly after?: string | undefined;
  readonly at: string;
}

export type ExecutionEvent =
  | { readonly type: 'lock-acquired'; readonly name: string; readonly holder: string }
  | { readonly type: 'lock-released'; readonly name: string }
  | {
      readonly type: 'step-started';
      readonly step: PlannedStep;
      readonly index: number;
      readonly total: number;
    }
  | { readonly type: 'step-skipped'; readonly step: PlannedStep; readonly entry: JournalEntry }
  | { readonly type: 'step-succeeded'; readonly step: PlannedStep; readonly entry: JournalEntry }
  | { readonly type: 'step-warning'; readonly step: PlannedStep; readonly entry: JournalEntry }
  | { readonly type: 'step-failed'; readonly step: PlannedStep; readonly entry: JournalEntry };

export interface ExecutionResult {
  readonly kind: Plan['kind'];
  readonly version: string;
  readonly status: 'succeeded' | 'failed';
  readonly journal: readonly JournalEntry[];
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

export interface ExecuteOptions {
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: ExecutionEvent) => void;
  /** Who runs this (shown to a second promote that finds the lock taken). */
  readonly holder?: string;
  readonly lockTtlSeconds?: number;
  /** The caller already holds the release lock (see acquireReleaseLock). */
  readonly lockHeld?: boolean;
}

interface StepOutcome {
  /** True when the world already was as the step wants it (nothing was written). */
  readonly alreadyDone?: boolean;
  readonly before?: string | undefined;
  readonly after?: string | undefined;
  readonly message: string;
}

/**
 * How each kind of step acts and checks its outcome. A step the plan saw as not done is
 * re-checked only where a second write would hurt (an immutable-tag registry refuses even a
 * same-digest PUT); the forge's writes are idempotent (publishing a published release, merging
 * a merged PR) and read back by the adapter.
 */
type Handlers = { [K in Step['kind']]: (step: Extract<Step, { kind: K }>) => Promise<StepOutcome> };

function handlers(
  config: ReleaseConfig,
  ports: ReleasePorts,
  version: string,
  signal?: AbortSignal,
): Handlers {
  const { registry, forge, signatures } = ports;
  const manifestDigest = async (image: string, ref: string) => {
    const m = await registry.observeManifest(image, ref, signal);
    if (m.state === 'error')
      throw new ReleaseError('PLAN_FAILED', `could not read ${image}:${ref} (${m.code}): ${m.message}`);
    return m.state === 'found' ? m.digest : null;
  };
  return {
    async 'move-tag'(s) {
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
    async 'publish-release'(s) {
      const r = await forge.publishRelease(s.tag, { makeLatest: true, id: s.releaseId }, signal);
      if (r.state !== 'published') {
        throw new ReleaseError('PLAN_FAILED', `release ${s.tag} reads back as ${r.state} after publishing`);
      }
      return { before: 'draft', after: 'published', message: `published ${r.url}` };
    },
    async 'merge-pr'(s) {
      // Merging is irreversible: every PR check runs again right before it, against fresh state.
      const pr = await forge.observePullRequest(s.head, s.base, signal);
      if (pr.state === 'merged')
        return { alreadyDone: true, after: pr.mergeCommitSha, message: 'already merged' };
      const fresh: Observations = {
        version,
        observedAt: new Date().toISOString(),
        images: [],
        release: { state: 'missing' },
        smoke: { state: 'not-configured' },
        pullRequest: pr,
        versionTag: { state: 'missing', tag: '' },
        candidateTags: [],
      };
      const gates = pullRequestGates(config, fresh);
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
        { sha: s.headSha, method: s.method, checked: true },
        signal,
      );
      return { before: s.headSha, after: sha, message: `merged #${s.number} as ${sha.slice(0, 7)}` };
    },
    async 'delete-candidate-image'(s) {
      // Fresh safety check: never delete a digest that the version or latest names now.
      const [current, v, l] = await Promise.all([
        manifestDigest(s.image, s.tag),
        manifestDigest(s.image, version),
        manifestDigest(s.image, 'latest'),
      ]);
      if (current !== s.digest) return { alreadyDone: true, message: `${s.image}:${s.tag} is gone or moved` };
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
    async 'delete-draft-release'(s) {
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
    async 'delete-tag'(s) {
      // The adapter re-checks that no release (draft or published) uses the tag.
      await forge.deleteTag(s.tag, signal);
      return { message: `deleted tag ${s.tag}` };
    },
    async 'close-pr'(s) {
      await forge.closePullRequest(s.number, s.comment, signal);
      return { message: `closed PR #${s.number}` };
    },
    async 'delete-branch'(s) {
      await forge.deleteBranch(s.branch, signal);
      return { message: `deleted branch ${s.branch}` };
    },
  };
}

const LOCK_NAME = 'release';

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Takes the repository's release lock, so two runs never write at once; throws LOCK_HELD
 * naming who holds it and since when.
 */
export async function acquireReleaseLock(
  ports: ReleasePorts,
  options: ExecuteOptions = {},
): Promise<HeldLock> {
  const holder = options.holder ?? 'relkit';
  const lock = await ports.forge.acquireLock(
    LOCK_NAME,
    holder,
    options.lockTtlSeconds ?? 900,
    options.signal,
  );
  if (!lock.acquired) {
    throw new ReleaseError(
      'LOCK_HELD',
      `another release run holds the lock: ${lock.holder} since ${lock.since}`,
      {
        details: { holder: lock.holder, since: lock.since },
      },
    );
  }
  options.onEvent?.({ type: 'lock-acquired', name: LOCK_NAME, holder });
  return {
    async release() {
      await ports.forge.releaseLock(LOCK_NAME, holder).catch(() => undefined);
      options.onEvent?.({ type: 'lock-released', name: LOCK_NAME });
    },
  };
}

/**
 * Runs a plan. All gates must have passed (checked here again, so no caller can skip them);
 * a lock keeps two runs on one repository apart; each step is skipped when the world says it
 * is done, so a re-run after a crash anywhere converges on the same end state.
 */
export async function execute(
  config: ReleaseConfig,
  plan: Plan,
  ports: ReleasePorts,
  options: ExecuteOptions = {},
): Promise<ExecutionResult> {
  const { signal, onEvent } = options;
  if (plan.verdict !== 'pass') {
    const bad = plan.gates.filter((g) => g.status !== 'pass');
    throw new ReleaseError(
      'GATE_NOT_MET',
      `${plan.kind} ${plan.version} is blocked: ${bad.map((g) => `${g.title}${g.subject ? ` [${g.subject}]` : ''}: ${g.reason}`).join('; ')}`,
      { details: { gates: bad } },
    );
  }
  const now = () => (ports.clock?.now() ?? new Date()).toISOString();
  const lock = options.lockHeld ? undefined : await acquireReleaseLock(ports, options);
  const h = handlers(config, ports, plan.version, signal);
  const journal: JournalEntry[] = [];
  let failure: ExecutionResult['error'];
  try {
    for (const [index, ps] of plan.steps.entries()) {
      signal?.throwIfAborted();
      const act = h[ps.step.kind] as (step: Step) => Promise<StepOutcome>;
      onEvent?.({ type: 'step-started', step: ps, index, total: plan.steps.length });
      try {
        // The plan's observations are fresh (taken right before, under no lock only for moments):
        // a step they show as done is skipped without asking again.
        const out = ps.done ? { alreadyDone: true, message: 'already done' } : await act(ps.step);
        if (out.alreadyDone) {
          const entry: JournalEntry = {
            id: ps.id,
            kind: ps.step.kind,
            status: 'skipped',
            message: out.message,
            after: 'after' in out ? out.after : undefined,
            at: now(),
          };
          journal.push(entry);
          onEvent?.({ type: 'step-skipped', step: ps, entry });
          continue;
        }
        const entry: JournalEntry = { id: ps.id, kind: ps.step.kind, status: 'done', ...out, at: now() };
        journal.push(entry);
        onEvent?.({ type: 'step-succeeded', step: ps, entry });
      } catch (e) {
        const err = asObservationError(e);
        const entry: JournalEntry = {
          id: ps.id,
          kind: ps.step.kind,
          status: ps.bestEffort ? 'warning' : 'failed',
          message: `${err.message} (${err.code})`,
          at: now(),
        };
        journal.push(entry);
        if (ps.bestEffort) {
          // A best-effort step (cleanup) that fails is reported, and the run goes on.
          onEvent?.({ type: 'step-warning', step: ps, entry });
          continue;
        }
        onEvent?.({ type: 'step-failed', step: ps, entry });
        failure = { code: err.code, message: err.message };
        break;
      }
    }
  } finally {
    await lock?.release();
  }
  return {
    kind: plan.kind,
    version: plan.version,
    status: failure ? 'failed' : 'succeeded',
    journal,
    error: failure,
  };
}
