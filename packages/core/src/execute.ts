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
}

interface StepOutcome {
  readonly before?: string | undefined;
  readonly after?: string | undefined;
  readonly message: string;
}

/** How each kind of step tells it is done, acts, and checks its outcome. */
interface StepHandler<S extends Step> {
  isDone(step: S): Promise<{ done: boolean; state?: string | undefined }>;
  act(step: S): Promise<StepOutcome>;
}

type Handlers = { [K in Step['kind']]: StepHandler<Extract<Step, { kind: K }>> };

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
    'move-tag': {
      async isDone(s) {
        const d = await manifestDigest(s.image, s.tag);
        return { done: d === s.toDigest, state: d ?? undefined };
      },
      async act(s) {
        const before = await manifestDigest(s.image, s.tag);
        await registry.retag(s.image, s.toDigest, s.tag, signal);
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
      async isDone(s) {
        const r = await forge.observeRelease(s.tag, signal);
        if (r.state === 'error')
          throw new ReleaseError('PLAN_FAILED', `could not read release ${s.tag} (${r.code}): ${r.message}`);
        return { done: r.state === 'published', state: r.state };
      },
      async act(s) {
        await forge.publishRelease(s.tag, { makeLatest: true }, signal);
        const r = await forge.observeRelease(s.tag, signal);
        if (r.state !== 'published') {
          throw new ReleaseError('PLAN_FAILED', `release ${s.tag} reads back as ${r.state} after publishing`);
        }
        return { before: 'draft', after: 'published', message: `published ${r.url}` };
      },
    },
    'merge-pr': {
      async isDone(s) {
        const pr = await forge.observePullRequest(s.head, s.base, signal);
        if (pr.state === 'error')
          throw new ReleaseError('PLAN_FAILED', `could not read PR #${s.number} (${pr.code}): ${pr.message}`);
        return { done: pr.state === 'merged', state: pr.state };
      },
      async act(s) {
        // Merging is irreversible: every PR check runs again right before it, against fresh state.
        const pr = await forge.observePullRequest(s.head, s.base, signal);
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
        const { sha } = await forge.mergePullRequest(s.number, { sha: s.headSha, method: s.method }, signal);
        const after = await forge.observePullRequest(s.head, s.base, signal);
        if (after.state !== 'merged')
          throw new ReleaseError('PLAN_FAILED', `PR #${s.number} reads back as ${after.state} after merging`);
        return { before: s.headSha, after: sha, message: `merged #${s.number} as ${sha.slice(0, 7)}` };
      },
    },
    'delete-candidate-image': {
      async isDone(s) {
        const d = await manifestDigest(s.image, s.tag);
        return { done: d !== s.digest, state: d ?? undefined };
      },
      async act(s) {
        // Fresh safety check: never delete a digest that the version or latest names now.
        const [v, l] = await Promise.all([
          manifestDigest(s.image, version),
          manifestDigest(s.image, 'latest'),
        ]);
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
    'delete-draft-release': {
      async isDone(s) {
        const r = await forge.observeRelease(s.tag, signal);
        if (r.state === 'published')
          throw new ReleaseError(
            'ABANDON_REFUSED',
            `release ${s.tag} was published meanwhile; not deleting it`,
          );
        return { done: r.state === 'missing', state: r.state };
      },
      async act(s) {
        await forge.deleteDraftRelease(s.tag, signal);
        return { before: 'draft', after: 'deleted', message: `deleted draft release ${s.tag}` };
      },
    },
    'delete-tag': {
      async isDone(s) {
        const t = await forge.observeTag(s.tag, signal);
        return { done: t.state === 'missing', state: t.state };
      },
      async act(s) {
        const r = await forge.observeRelease(s.tag, signal);
        if (r.state !== 'missing')
          throw new ReleaseError(
            'ABANDON_REFUSED',
            `tag ${s.tag} still has a ${r.state} release; not deleting it`,
          );
        await forge.deleteTag(s.tag, signal);
        return { message: `deleted tag ${s.tag}` };
      },
    },
    'close-pr': {
      async isDone(s) {
        const pr = await forge.observePullRequest(s.head, s.base, signal);
        return { done: pr.state !== 'open', state: pr.state };
      },
      async act(s) {
        await forge.closePullRequest(s.number, s.comment, signal);
        return { message: `closed PR #${s.number}` };
      },
    },
    'delete-branch': {
      async isDone() {
        return { done: false };
      },
      async act(s) {
        await forge.deleteBranch(s.branch, signal);
        return { message: `deleted branch ${s.branch}` };
      },
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
  const holder = options.holder ?? 'relkit';
  const lockName = 'release';
  const lock = await ports.forge.acquireLock(lockName, holder, options.lockTtlSeconds ?? 900, signal);
  if (!lock.acquired) {
    throw new ReleaseError(
      'LOCK_HELD',
      `another release run holds the lock: ${lock.holder} since ${lock.since}`,
      {
        details: { holder: lock.holder, since: lock.since },
      },
    );
  }
  onEvent?.({ type: 'lock-acquired', name: lockName, holder });
  const h = handlers(config, ports, plan.version, signal);
  const journal: JournalEntry[] = [];
  let failure: ExecutionResult['error'];
  try {
    for (const [index, ps] of plan.steps.entries()) {
      signal?.throwIfAborted();
      const handler = h[ps.step.kind] as StepHandler<Step>;
      onEvent?.({ type: 'step-started', step: ps, index, total: plan.steps.length });
      try {
        const state = await handler.isDone(ps.step);
        if (state.done) {
          const entry: JournalEntry = {
            id: ps.id,
            kind: ps.step.kind,
            status: 'skipped',
            message: 'already done',
            after: state.state,
            at: now(),
          };
          journal.push(entry);
          onEvent?.({ type: 'step-skipped', step: ps, entry });
          continue;
        }
        const out = await handler.act(ps.step);
        const entry: JournalEntry = { id: ps.id, kind: ps.step.kind, status: 'done', ...out, at: now() };
        journal.push(entry);
        onEvent?.({ type: 'step-succeeded', step: ps, entry });
      } catch (e) {
        const err = asObservationError(e);
        if (ps.bestEffort) {
          const entry: JournalEntry = {
            id: ps.id,
            kind: ps.step.kind,
            status: 'warning',
            message: `${err.message} (${err.code})`,
            at: now(),
          };
          journal.push(entry);
          onEvent?.({ type: 'step-warning', step: ps, entry });
          continue;
        }
        const entry: JournalEntry = {
          id: ps.id,
          kind: ps.step.kind,
          status: 'failed',
          message: `${err.message} (${err.code})`,
          at: now(),
        };
        journal.push(entry);
        onEvent?.({ type: 'step-failed', step: ps, entry });
        failure = { code: err.code, message: err.message };
        break;
      }
    }
  } finally {
    await ports.forge.releaseLock(lockName, holder).catch(() => undefined);
    onEvent?.({ type: 'lock-released', name: lockName });
  }
  return {
    kind: plan.kind,
    version: plan.version,
    status: failure ? 'failed' : 'succeeded',
    journal,
    error: failure,
  };
}
