import { ReleaseError } from '../errors.js';
import type { Clock, LockForgePort } from '../ports.js';
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
  readonly forge: LockForgePort;
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
  /**
   * Makes the "released" state now, while the run works, without moving the lock (stageLock):
   * `release()` is then one conditional write. Never rejects; a state a renewal made stale
   * since is made afresh by `release()`. Its `releasedAt` is when it was prepared (the run's
   * writes then still to come), not when the lock moved.
   */
  prepareRelease(): Promise<void>;
  /** Stops renewing and writes "released" over this run's state (never over someone else's). */
  release(): Promise<void>;
}

/** The lock, taken, and what the run observed while taking it (see acquireReleaseLockAndObserve). */
export interface LockedObservation<T> {
  readonly lock: HeldLock;
  readonly observed: T;
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

/** A read of the lock in two halves: the version (one round trip), then what that state says. */
interface LockHead {
  readonly version: string | undefined;
  view(): Promise<LockView>;
}

async function readHead(ports: LockPorts, signal: AbortSignal | undefined): Promise<LockHead> {
  const { forge } = ports;
  if (forge.readLockVersion && forge.readLockRecord) {
    const readRecord = forge.readLockRecord.bind(forge);
    const version = await forge.readLockVersion(LOCK_NAME, signal);
    return {
      version,
      view: async () =>
        viewLock(
          version === undefined
            ? undefined
            : { version, record: await readRecord(LOCK_NAME, version, signal) },
          nowOf(ports),
        ),
    };
  }
  const stored = await forge.readLock(LOCK_NAME, signal);
  return { version: stored?.version, view: async () => viewLock(stored, nowOf(ports)) };
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/**
 * Takes the repository's release lock, so two runs never write at once: reads the lock, and
 * if it is free (absent, released, expired) writes "held by us" over exactly the state read —
 * one conditional write that the forge refuses when anyone wrote first. A refused write reads
 * again: the winner is named in LOCK_HELD. The lease is renewed until `release()`.
 */
export async function acquireReleaseLock(ports: LockPorts, options: LockOptions = {}): Promise<HeldLock> {
  return (await acquireReleaseLockAndObserve(ports, () => Promise.resolve(undefined), options)).lock;
}

/**
 * Takes the release lock and observes the world for the plan at the same time: the lock's
 * version is read first (one round trip, state C), then `observe` starts together with the
 * acquisition (what C says, and the conditional write C → L of "held by us"); both are
 * awaited. A lost acquisition is LOCK_HELD, as with acquireReleaseLock: the observation is
 * aborted and discarded. A failed observation releases the lock it took and is thrown.
 *
 * Why the observation is as good as one made after the lock was taken (a run that takes the
 * lock right after another released it must see what that run wrote):
 * - The forge moves the lock only forward, each state a child of the one it replaces, by a
 *   non-forced (fast-forward) write, and never deletes it; C's successors are C's descendants.
 *   Our write C → L (L's parent is C) is accepted only while the lock is at C or an ancestor of
 *   it, so only while it is at C: it stayed at C from our read until our write. (An absent lock
 *   is created only if it still is absent, and once there it is never deleted.) So no other run
 *   took the lock between our read and our write, and we hold it from then on.
 * - C is free (absent, released or expired), else we stop. A run releases only after its last
 *   write finished (release() runs after the plan; a "released" state staged earlier by
 *   prepareRelease is invisible until release() moves the lock to it), so every write of every
 *   run that released before C finished before C was written — before we read it, before
 *   `observe` started.
 * - Hence every read `observe` makes starts after all those writes, and no holder writes while
 *   it runs. The one exposure left is the one acquiring-then-observing has too: a holder whose
 *   lease EXPIRED (C says expired) may still have a write in flight; it stops at its next
 *   write (LOCK_LOST), and our steps ask the world again where a second write would hurt.
 * - `observe` must not start before the version read answered: a read made before it could
 *   precede the writes of a run that released just before C.
 */
export async function acquireReleaseLockAndObserve<T>(
  ports: LockPorts,
  observe: (signal: AbortSignal) => Promise<T>,
  options: LockOptions = {},
): Promise<LockedObservation<T>> {
  const ttl = ttlOf(options);
  const holder = printableHolder(options.holder ?? 'relkit');
  // This acquisition's id, made when the lock is written, not before the read: Web Crypto loads
  // on its first use (~1–3 ms), which before the read would hold back a run's first request.
  let run: string | undefined;
  const { signal } = options;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const head = await readHead(ports, signal);
    // Only now (the version is read) may the observation start; see above.
    const discard = new AbortController();
    const observing: Promise<Settled<T>> = observe(
      signal ? AbortSignal.any([signal, discard.signal]) : discard.signal,
    ).then(
      (value) => ({ ok: true, value }),
      (error: unknown) => ({ ok: false, error }),
    );
    const dropObservation = async () => {
      discard.abort();
      await observing;
    };
    let taken: { version: string; state: HeldState } | { view: LockView };
    try {
      const view = await head.view();
      if (!mayAcquire(view)) {
        taken = { view };
      } else {
        const state = heldState(
          holder,
          (run ??= globalThis.crypto.randomUUID().slice(0, 13)),
          nowOf(ports),
          ttl,
        );
        const r = await ports.forge.writeLock(LOCK_NAME, head.version, encodeLockState(state), signal);
        taken = r.written ? { version: r.version, state } : { view };
      }
    } catch (e) {
      await dropObservation();
      throw e;
    }
    if ('state' in taken) {
      options.onEvent?.({ type: 'lock-acquired', name: LOCK_NAME, holder });
      const lock = holdLease(ports, taken.version, taken.state, ttl, options);
      const observed = await observing;
      if (observed.ok) return { lock, observed: observed.value };
      await lock.release();
      throw observed.error;
    }
    await dropObservation();
    if (!mayAcquire(taken.view)) throw lockHeld(taken.view);
    // Someone wrote first: the next read names them (or finds the lock free again).
    if (attempt >= RACE_ATTEMPTS) {
      const last = viewLock(await ports.forge.readLock(LOCK_NAME, signal), nowOf(ports));
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
  const releasedRecord = () =>
    encodeLockState({ status: 'released', by: state.holder, releasedAt: nowOf(ports).toISOString() });
  // The "released" state made ahead (prepareRelease), and the state it is a child of.
  let staged: Promise<{ from: string; version: string } | undefined> | undefined;

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

  /** Writes "released" over this run's last state: the staged one if still its child, else afresh. */
  const writeReleased = async () => {
    const ready = await staged;
    if (ready && ready.from === current.version && ports.forge.moveLock) {
      await ports.forge.moveLock(LOCK_NAME, ready.from, ready.version);
      return;
    }
    // Not prepared, or a renewal moved this run's state since: two round trips (rare).
    await ports.forge.writeLock(LOCK_NAME, current.version, releasedRecord());
  };

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
    async prepareRelease() {
      const { stageLock, moveLock } = ports.forge;
      if (!staged && !stopped && !lost && stageLock && moveLock) {
        const from = current.version;
        // A failed staging only costs the release its fast path.
        staged = stageLock
          .call(ports.forge, LOCK_NAME, from, releasedRecord())
          .then((v) => ({ from, version: v }))
          .catch(() => undefined);
      }
      await staged;
    },
    async release() {
      stopped = true;
      clearTimeout(timer);
      await writing;
      // Written over this run's last state only: a lock someone took over is left alone. A
      // release that fails leaves the lease to run out (renewals have stopped).
      if (!lost) await writeReleased().catch(() => undefined);
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
