// The forge's lock in memory, with GitHub's semantics: each state is a new version written only
// over the version it names (a refused write answers written: false). Test worlds keep their
// `lock` field ({holder, since} or null) and read/write it through `view`/`update`.
import { decodeLockState, encodeLockState, type StoredLock } from '../lock-state.js';
import type { ForgePort } from '../../ports.js';

export interface MemoryLockHolder {
  holder: string;
  since: string;
}

/**
 * readLock/writeLock over a test world's lock field. A holder the test put there directly
 * (`w.lock = {...}`) holds a lease that never expires.
 */
export function memoryLock(
  get: () => MemoryLockHolder | null,
  set: (lock: MemoryLockHolder | null) => void,
  log?: (line: string) => void,
): Pick<ForgePort, 'readLock' | 'writeLock'> {
  let version = 0;
  let released: string | undefined;
  const stored = (): StoredLock | undefined => {
    const held = get();
    if (held)
      return {
        version: String(version),
        record: encodeLockState({
          status: 'held',
          holder: held.holder,
          run: '',
          acquiredAt: held.since,
          expiresAt: '9999-12-31T00:00:00.000Z',
        }),
      };
    return released === undefined ? undefined : { version: String(version), record: released };
  };
  return {
    async readLock() {
      return stored();
    },
    async writeLock(name, from, record) {
      if (from !== stored()?.version) return { written: false };
      version++;
      const state = decodeLockState(record);
      log?.(state?.status === 'held' ? `acquire ${name} ${state.holder}` : `release ${name}`);
      if (state?.status === 'held') {
        // A renewal keeps the holder; the test sees who holds it and since when.
        set({ holder: state.holder, since: state.acquiredAt });
        released = undefined;
      } else {
        set(null);
        released = record;
      }
      return { written: true, version: String(version) };
    },
  };
}
