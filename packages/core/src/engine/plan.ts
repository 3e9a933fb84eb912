import type { Gate, GateStatus } from './gates.js';

/** What every step is: data with a kind; the executor finds the kind's handler. */
export interface StepLike {
  readonly kind: string;
}

export interface PlannedStep<S extends StepLike = StepLike> {
  /** Stable id, e.g. "move-tag ghcr.io/acme/app:latest". */
  readonly id: string;
  readonly step: S;
  /** Irreversible steps run only after every gate passed. */
  readonly irreversible: boolean;
  /** Failures of best-effort steps are warnings, not failures of the run. */
  readonly bestEffort: boolean;
  /** Already done according to the observations (re-checked by the executor). */
  readonly done: boolean;
  readonly description: string;
}

/** A plan: the gates that decide whether it may run, and its idempotent steps in order. */
export interface Plan<S extends StepLike = StepLike, K extends string = string, G extends Gate = Gate> {
  readonly kind: K;
  /** The version's text, e.g. 1.2.3. */
  readonly version: string;
  readonly gates: readonly G[];
  readonly verdict: GateStatus;
  readonly steps: readonly PlannedStep<S>[];
}

export interface JournalEntry<K extends string = string> {
  readonly id: string;
  readonly kind: K;
  readonly status: 'done' | 'skipped' | 'failed' | 'warning';
  readonly message: string;
  /** The state before and after, e.g. the digest a tag had and has. */
  readonly before?: string | undefined;
  readonly after?: string | undefined;
  readonly at: string;
}

export type LockEvent =
  | { readonly type: 'lock-acquired'; readonly name: string; readonly holder: string }
  | { readonly type: 'lock-released'; readonly name: string };

export type ExecutionEvent<S extends StepLike = StepLike> =
  | LockEvent
  | {
      readonly type: 'step-started';
      readonly step: PlannedStep<S>;
      readonly index: number;
      readonly total: number;
    }
  | {
      readonly type: 'step-skipped' | 'step-succeeded' | 'step-warning' | 'step-failed';
      readonly step: PlannedStep<S>;
      readonly entry: JournalEntry<S['kind']>;
    };

/** What a step's handler reports after acting. */
export interface StepOutcome {
  /** True when the world already was as the step wants it (nothing was written). */
  readonly alreadyDone?: boolean;
  readonly before?: string | undefined;
  readonly after?: string | undefined;
  readonly message: string;
}

/**
 * How one kind of step runs. `isDone` (optional) asks the world before acting, whatever the plan
 * saw; without it, a step the plan saw as done is skipped and `act` itself may find it done
 * (`alreadyDone`). `act` checks its own outcome (read-back) and throws when it did not happen.
 */
export interface StepHandler<S> {
  isDone?(step: S): Promise<{ readonly done: boolean; readonly state?: string | undefined }>;
  act(step: S): Promise<StepOutcome>;
}

export type StepHandlers<S extends StepLike> = {
  readonly [K in S['kind']]: StepHandler<Extract<S, { readonly kind: K }>>;
};
