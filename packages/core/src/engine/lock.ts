import { ReleaseError } from '../errors.js';
import type { ForgePort } from '../ports.js';
import type { LockEvent } from './plan.js';

const LOCK_NAME = 'release';

/** The forge's lock: one per repository, shared by publish, promote, rollback and abandon. */
export interface LockPorts {
  readonly forge: Pick<ForgePort, 'acquireLock' | 'releaseLock'>;
}

export interface LockOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onEvent?: ((event: LockEvent) => void) | undefined;
  /** Who runs this (shown to a second run that finds the lock taken). */
  readonly holder?: string | undefined;
  readonly lockTtlSeconds?: number | undefined;
}

export interface HeldLock {
  release(): Promise<void>;
}

/**
 * Takes the repository's release lock, so two runs never write at once; throws LOCK_HELD
 * naming who holds it and since when.
 */
export async function acquireReleaseLock(ports: LockPorts, options: LockOptions = {}): Promise<HeldLock> {
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
