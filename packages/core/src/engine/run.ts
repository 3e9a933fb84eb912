import { ReleaseError } from '../errors.js';
import { asObservationError } from '../observations.js';
import type { Clock } from '../ports.js';
import type { Gate } from './gates.js';
import { acquireReleaseLock, type HeldLock, type LockOptions, type LockPorts } from './lock.js';
import type {
  ExecutionEvent,
  JournalEntry,
  Plan,
  StepHandler,
  StepHandlers,
  StepLike,
  StepOutcome,
} from './plan.js';

export interface RunPlanOptions<S extends StepLike = StepLike> extends Omit<LockOptions, 'onEvent'> {
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: ExecutionEvent<S>) => void;
  /**
   * The release lock, taken by the caller together with the observations of this plan, none
   * of them started before the lock was read (see acquireReleaseLockAndObserve); the caller
   * releases it. Without it, runPlan takes the lock itself.
   */
  readonly lock?: HeldLock | undefined;
}

export interface RunPorts extends LockPorts {
  readonly clock?: Clock | undefined;
}

export interface RunOutcome<K extends string = string> {
  readonly status: 'succeeded' | 'failed';
  readonly journal: readonly JournalEntry<K>[];
  readonly error?: { readonly code: string; readonly message: string } | undefined;
}

/** GATE_NOT_MET naming every gate that is not `pass` (details: `{ gates }`). */
export function blockedError(plan: Plan<StepLike, string, Gate>): ReleaseError {
  const bad = plan.gates.filter((g) => g.status !== 'pass');
  return new ReleaseError(
    'GATE_NOT_MET',
    `${plan.kind} ${plan.version} is blocked: ${bad.map((g) => `${g.title}${g.subject ? ` [${g.subject}]` : ''}: ${g.reason}`).join('; ')}`,
    { details: { gates: bad } },
  );
}

/**
 * The one executor of relkit's plans (promote, rollback, abandon, publish). All gates must have
 * passed (checked here again, so no caller can skip them); the release lock keeps two runs on
 * one repository apart. Promote, rollback and abandon take it while they observe and pass it
 * (`lock`); a plan made before the lock (publish) runs steps that ask the world (`isDone`) or
 * check it in `act`. Before each step the lease is re-checked: a lost lock stops the run before
 * its next write (LOCK_LOST). Each step is skipped when the world says it is done, so a re-run
 * after a crash anywhere converges on the same end state. A best-effort step that fails is a warning
 * and the run goes on; any other failure stops the run, and the journal says where.
 */
export async function runPlan<S extends StepLike>(
  plan: Plan<S, string, Gate>,
  handlers: StepHandlers<S>,
  ports: RunPorts,
  options: RunPlanOptions<S> = {},
): Promise<RunOutcome<S['kind']>> {
  const { signal, onEvent } = options;
  if (plan.verdict !== 'pass') throw blockedError(plan);
  const now = () => (ports.clock?.now() ?? new Date()).toISOString();
  const own = options.lock ? undefined : await acquireReleaseLock(ports, options);
  const lock = options.lock ?? own!;
  // The "released" state is made while the steps run: the release at the end is one write.
  void lock.prepareRelease();
  const journal: JournalEntry<S['kind']>[] = [];
  let failure: RunOutcome['error'];
  try {
    for (const [index, ps] of plan.steps.entries()) {
      signal?.throwIfAborted();
      const kind: S['kind'] = ps.step.kind;
      try {
        // A lease lost (renewal refused or run out) means another run may be writing: stop
        // before this step's first write.
        lock.assertHeld();
      } catch (e) {
        const err = asObservationError(e);
        failure = { code: err.code, message: err.message };
        break;
      }
      const handler = handlers[kind as keyof StepHandlers<S>] as unknown as StepHandler<S>;
      onEvent?.({ type: 'step-started', step: ps, index, total: plan.steps.length });
      try {
        let out: StepOutcome;
        if (handler.isDone) {
          // Ask the world, whatever the plan saw: the handler also learns what later steps need.
          const state = await handler.isDone(ps.step);
          out = state.done
            ? { alreadyDone: true, message: 'already done', after: state.state }
            : await handler.act(ps.step);
        } else {
          // A step the plan saw as done stays done (a merged PR, a published release); one it
          // saw as not done acts, and its act checks the world first (alreadyDone).
          out = ps.done ? { alreadyDone: true, message: 'already done' } : await handler.act(ps.step);
        }
        if (out.alreadyDone) {
          const entry: JournalEntry<S['kind']> = {
            id: ps.id,
            kind,
            status: 'skipped',
            message: out.message,
            after: out.after,
            at: now(),
          };
          journal.push(entry);
          onEvent?.({ type: 'step-skipped', step: ps, entry });
          continue;
        }
        const { alreadyDone: _, ...outcome } = out;
        const entry: JournalEntry<S['kind']> = { id: ps.id, kind, status: 'done', ...outcome, at: now() };
        journal.push(entry);
        onEvent?.({ type: 'step-succeeded', step: ps, entry });
      } catch (e) {
        const err = asObservationError(e);
        const entry: JournalEntry<S['kind']> = {
          id: ps.id,
          kind,
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
    await own?.release();
  }
  return { status: failure ? 'failed' : 'succeeded', journal, error: failure };
}
