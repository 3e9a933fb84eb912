import { ReleaseError } from '../errors.js';
import type { Clock, ForgePort } from '../ports.js';
import {
  DEFAULT_LOCK_TTL_SECONDS,
  decideUnlock,
  encodeLockState,
  heldState,
  mayAcquire,
  printableHolder,
  renewalIntervalMs,
  renewedState,
  validLockTtl,
  viewLock,
  type HeldState,
  type Lease,
  type LockView,
} from './lock-state.js';
import type { LockEvent } from './plan.js';

const LOCK_NAME = 'release';
/** Conditional writes lost to a state that is free again (someone took and released it). */
const RACE_ATTEMPTS = 5;

/** The forge's lock: one per repository, shared by publish, promote, rollback and abandon. */
export interface LockPorts {
  readonly forge: Pick<ForgePort, 'readLock' | 'writeLock'>;
  readonly clock?: Clock | undefined;
}

export interface LockOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onEvent?: ((event: LockEvent) => void) | undefined;
  /** Who runs this (shown to a second run that finds the lock taken). */
  readonly holder?: string | undefined;
  /** The lease; renewed every third of it while the run lives (default 90 s). */
  readonly lockTtlSeconds?: number | undefined;
}

export interface HeldLock {
  /** The holder as written (printable, bounded). */
  readonly holder: string;
  /**
   * Throws LOCK_LOST once the lease is lost: a renewal was refused (another run moved the lock)
   * or the lease ran out before a renewal got through. A run checks before each write.
   */
  assertHeld(): void;
  /** Stops renewing and writes "released" over this run's state (never over someone else's). */
  release(): Promise<void>;
}

const nowOf = (ports: LockPorts) => ports.clock?.now() ?? new Date();

function lockHeld(view: Lease, advice?: string): ReleaseError {
  return new ReleaseError(
    'LOCK_HELD',
    `another release run holds the lock: ${view.holder} since ${view.acquiredAt || 'an unknown time'} (lease until ${view.expiresAt})${advice ? `; ${advice}` : ''}`,
    { details: { holder: view.holder, since: view.acquiredAt, expiresAt: view.expiresAt } },
  );
}

function ttlOf(options: LockOptions): number {
  const ttl = options.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS;
  if (!validLockTtl(ttl))
    throw new ReleaseError('INVALID_ARGUMENT', `the lock TTL must be 1 to 86400 seconds, not ${ttl}`);
  return ttl;
}

/**
 * Takes the repository's release lock, so two runs never write at once: reads the lock, and
 * if it is free (absent, released, expired) writes "held by us" over exactly the state read —
 * one conditional write that the forge refuses when anyone wrote first. A refused write reads
 * again: the winner is named in LOCK_HELD. The lease is renewed until `release()`.
 */
export async function acquireReleaseLock(ports: LockPorts, options: LockOptions = {}): Promise<HeldLock> {
  const ttl = ttlOf(options);
  const holder = printableHolder(options.holder ?? 'relkit');
  const run = globalThis.crypto.randomUUID().slice(0, 13);
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    const stored = await ports.forge.readLock(LOCK_NAME, options.signal);
    const view = viewLock(stored, nowOf(ports));
    if (!mayAcquire(view)) throw lockHeld(view);
    const state = heldState(holder, run, nowOf(ports), ttl);
    const r = await ports.forge.writeLock(LOCK_NAME, stored?.version, encodeLockState(state), options.signal);
    if (r.written) {
      options.onEvent?.({ type: 'lock-acquired', name: LOCK_NAME, holder });
      return holdLease(ports, r.version, state, ttl, options);
    }
    // Someone wrote first: the next read names them (or finds the lock free again).
    if (attempt >= RACE_ATTEMPTS) {
      const last = viewLock(await ports.forge.readLock(LOCK_NAME, options.signal), nowOf(ports));
      throw lockHeld(
        last.status === 'held' || last.status === 'expired'
          ? last
          : { holder: 'runs that keep taking it', run: '', acquiredAt: '', expiresAt: 'unknown' },
        'the lock keeps changing hands; retry later',
      );
    }
  }
}

function holdLease(
  ports: LockPorts,
  version: string,
  state: HeldState,
  ttl: number,
  options: LockOptions,
): HeldLock {
  let current = { version, state };
  let lost: string | undefined;
  let stopped = false;
  // Renewals and the release are written one after another, each over the state before.
  let writing = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const leaseOver = () => nowOf(ports).getTime() >= Date.parse(current.state.expiresAt);

  const renew = async () => {
    if (stopped || lost) return;
    const next = renewedState(current.state, nowOf(ports), ttl);
    try {
      const r = await ports.forge.writeLock(LOCK_NAME, current.version, encodeLockState(next));
      if (r.written) current = { version: r.version, state: next };
      else lost = 'another run moved the lock while this run held it';
    } catch (e) {
      // Could not reach the forge: the lease still runs; the next tick tries again.
      if (leaseOver())
        lost = `the lease ran out: renewing failed (${e instanceof Error ? e.message : String(e)})`;
    }
  };
  const schedule = () => {
    if (stopped || lost) return;
    timer = setTimeout(() => {
      writing = writing.then(renew).finally(schedule);
    }, renewalIntervalMs(ttl));
    // A pending renewal never keeps the process alive.
    (timer as { unref?: () => void }).unref?.();
  };
  schedule();

  return {
    holder: state.holder,
    assertHeld() {
      if (!lost && leaseOver()) lost = 'the lease ran out before it could be renewed';
      if (lost)
        throw new ReleaseError(
          'LOCK_LOST',
          `the release lock was lost (${lost}); stopped before the next write — run the command again to resume`,
          { details: { holder: state.holder } },
        );
    },
    async release() {
      stopped = true;
      clearTimeout(timer);
      await writing;
      if (!lost) {
        const released = encodeLockState({
          status: 'released',
          by: state.holder,
          releasedAt: nowOf(ports).toISOString(),
        });
        // Written over this run's last state only: a lock someone took over is left alone. A
        // release that fails leaves the lease to run out (renewals have stopped).
        await ports.forge.writeLock(LOCK_NAME, current.version, released).catch(() => undefined);
      }
      options.onEvent?.({ type: 'lock-released', name: LOCK_NAME });
    },
  };
}

export interface UnlockOptions {
  readonly signal?: AbortSignal | undefined;
  /** This run's holder identity: its own lock is released without --force. */
  readonly holder: string;
  /** Release whoever holds it (the holder is reported). */
  readonly force?: boolean | undefined;
}

export interface UnlockResult {
  /** `released`: this call wrote "released"; `free`: nothing held it. */
  readonly outcome: 'released' | 'free';
  /** What the lock was before: who held it and until when, or who released it last. */
  readonly previous: LockView;
  /** True when a live lease of another holder was broken (--force). */
  readonly forced: boolean;
}

/**
 * Frees the release lock: one held by this holder identity or expired, or any with `force`.
 * Like every move of the lock, one conditional write over the state read; a live lock of
 * someone else without `force` is LOCK_HELD naming them.
 */
export async function unlockRelease(ports: LockPorts, options: UnlockOptions): Promise<UnlockResult> {
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    const stored = await ports.forge.readLock(LOCK_NAME, options.signal);
    const view = viewLock(stored, nowOf(ports));
    const decision = decideUnlock(view, options.holder, options.force === true);
    if (decision.action === 'refuse')
      throw lockHeld(decision.view, 'wait for it to finish, or `release-cli unlock --force` if it crashed');
    if (decision.action === 'none' || !stored) return { outcome: 'free', previous: view, forced: false };
    const released = encodeLockState({
      status: 'released',
      by: printableHolder(options.holder),
      releasedAt: nowOf(ports).toISOString(),
    });
    const r = await ports.forge.writeLock(LOCK_NAME, stored.version, released, options.signal);
    if (r.written) return { outcome: 'released', previous: view, forced: decision.forced };
    if (attempt >= RACE_ATTEMPTS)
      throw new ReleaseError('LOCK_HELD', 'the release lock keeps changing hands; retry later');
  }
}
