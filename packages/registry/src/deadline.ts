import { RegistryError } from './errors.js';

/** The overall deadline of one registry operation when the client is not told otherwise. */
export const DEFAULT_DEADLINE_MS = 60_000;

/** "2 s", "60 s", "0.5 s": how a deadline is named in messages. */
export function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * The time one operation may take, every attempt, token exchange and backoff included. Its
 * signal aborts with a TIMEOUT RegistryError that names the server, so whichever layer notices
 * (an exchange, a backoff sleep, the token service) reports the deadline, not "cancelled".
 */
export class Budget {
  readonly signal: AbortSignal;
  /** The deadline's error: the one the signal aborts with when it runs out. */
  readonly error: RegistryError;
  private readonly expiresAt: number;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(
    readonly ms: number,
    /** The server that may not answer: "ghcr.io". */
    server: string,
    /** The request it was asked, for the message: "GET ghcr.io/v2/acme/app/manifests/1.2.3". */
    request: string,
    caller?: AbortSignal,
  ) {
    this.expiresAt = Date.now() + ms;
    const own = new AbortController();
    this.error = deadlineError(server, ms, request);
    this.timer = setTimeout(() => own.abort(this.error), ms);
    // A pending deadline never keeps a finished CLI alive.
    this.timer.unref?.();
    this.signal = caller ? AbortSignal.any([caller, own.signal]) : own.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.expiresAt - Date.now());
  }

  /** The per-attempt timeout, shrunk to what is left of the budget. */
  attemptMs(perAttemptMs: number): number {
    return Math.max(1, Math.min(perAttemptMs, this.remainingMs()));
  }

  /** The operation is over: its deadline no longer fires (a body read later is the caller's). */
  end(): void {
    clearTimeout(this.timer);
  }
}

const budgets = new WeakMap<RegistryError, number>();

/** "ghcr.io did not answer within 60 s (GET …)": the deadline of an operation ran out. */
export function deadlineError(server: string, ms: number, request?: string): RegistryError {
  const e = new RegistryError(
    'TIMEOUT',
    `${server} did not answer within ${seconds(ms)}${request ? ` (${request})` : ''}; ` +
      'raise the deadline with --timeout SECONDS (or RELKIT_TIMEOUT) if it is only slow',
  );
  budgets.set(e, ms);
  return e;
}

/**
 * When `signal` was aborted by a Budget: its deadline error, said of `server` (the token service
 * an operation was waiting for, rather than the registry it was for). Else undefined.
 */
export function deadlineReached(signal: AbortSignal | undefined, server: string): RegistryError | undefined {
  const reason: unknown = signal?.aborted ? signal.reason : undefined;
  const ms = reason instanceof RegistryError ? budgets.get(reason) : undefined;
  return ms === undefined ? undefined : deadlineError(server, ms);
}
