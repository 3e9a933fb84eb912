// The release lock: what a stored state means (pure), and acquire, renewal, release and unlock
// as conditional writes over a store with the forge's semantics (a write names the version it
// replaces; anything else is refused).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ReleaseError } from '../errors.js';
import type { ForgePort } from '../ports.js';
import { acquireReleaseLock, acquireReleaseLockAndObserve, unlockRelease, type LockPorts } from './lock.js';
import {
  decideUnlock,
  decodeLockState,
  encodeLockState,
  printableHolder,
  viewLock,
  type StoredLock,
} from './lock-state.js';

/** A compare-and-swap store: the only thing the forge must offer. */
function casStore(now: () => Date) {
  let stored: StoredLock | undefined;
  let n = 0;
  const writes: string[] = [];
  const forge: Pick<ForgePort, 'readLock' | 'writeLock'> = {
    async readLock() {
      return stored;
    },
    async writeLock(_name, from, record) {
      if (from !== stored?.version) return { written: false };
      stored = { version: `v${++n}`, record };
      writes.push(record);
      return { written: true, version: stored.version };
    },
  };
  return {
    forge,
    clock: { now },
    writes,
    put(record: string) {
      stored = { version: `v${++n}`, record };
    },
    state: () => (stored ? decodeLockState(stored.record) : undefined),
  };
}

const T0 = new Date('2026-11-27T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

describe('lock states (pure)', () => {
  it('makes a holder printable and bounded: escapes, controls and newlines go, 100 chars at most', () => {
    expect(printableHolder('\x1b[31mmallory\x1b[0m\n(pid 1)\r\x07')).toBe('mallory (pid 1)');
    expect(printableHolder('\x1b]0;pwned\x07bob')).toBe('bob');
    expect(printableHolder('a\u202eevil\u0000b')).toBe('a evil b');
    expect(printableHolder('')).toBe('unknown');
    const long = printableHolder('x'.repeat(500));
    expect([...long]).toHaveLength(100);
    expect(long.endsWith('…')).toBe(true);
  });

  it('reads a holder written by someone else through the same filter', () => {
    const state = decodeLockState(
      JSON.stringify({
        holder: 'eve\x1b[2J\nroot',
        acquiredAt: T0.toISOString(),
        expiresAt: at(60).toISOString(),
      }),
    );
    expect(state).toMatchObject({ status: 'held', holder: 'eve root' });
  });

  it('interprets absent, released, held, expired and foreign records', () => {
    const held = encodeLockState({
      status: 'held',
      holder: 'alice',
      run: 'r1',
      acquiredAt: T0.toISOString(),
      expiresAt: at(90).toISOString(),
    });
    expect(viewLock(undefined, T0).status).toBe('absent');
    expect(viewLock({ version: 'a', record: held }, at(89)).status).toBe('held');
    expect(viewLock({ version: 'a', record: held }, at(90)).status).toBe('expired');
    const released = encodeLockState({ status: 'released', by: 'alice', releasedAt: T0.toISOString() });
    expect(viewLock({ version: 'a', record: released }, T0)).toMatchObject({
      status: 'released',
      by: 'alice',
    });
    // Not a relkit record: held forever by someone unknown (fail closed).
    expect(viewLock({ version: 'a', record: 'Merge branch main' }, at(1e9))).toMatchObject({
      status: 'held',
      holder: 'unknown (not a relkit lock record)',
    });
  });

  it('lets unlock free its own or an expired lock; another live holder only with force', () => {
    const lease = { holder: 'alice', run: 'r', acquiredAt: '', expiresAt: '' };
    expect(decideUnlock({ status: 'absent' }, 'bob', false).action).toBe('none');
    expect(decideUnlock({ status: 'held', ...lease }, 'alice', false)).toMatchObject({
      action: 'release',
      forced: false,
    });
    expect(decideUnlock({ status: 'expired', ...lease }, 'bob', false)).toMatchObject({
      action: 'release',
      forced: false,
    });
    expect(decideUnlock({ status: 'held', ...lease }, 'bob', false).action).toBe('refuse');
    expect(decideUnlock({ status: 'held', ...lease }, 'bob', true)).toMatchObject({
      action: 'release',
      forced: true,
    });
  });
});

describe('acquire, renew, release, unlock', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('takes an absent lock, names the holder to a second run, and releases by writing a new state', async () => {
    const s = casStore(() => T0);
    const a = await acquireReleaseLock(s, { holder: 'alice', lockTtlSeconds: 90 });
    expect(s.state()).toMatchObject({ status: 'held', holder: 'alice', expiresAt: at(90).toISOString() });
    const err = await acquireReleaseLock(s, { holder: 'bob' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReleaseError);
    expect(err).toMatchObject({ code: 'LOCK_HELD', details: { holder: 'alice' } });
    await a.release();
    expect(s.state()).toMatchObject({ status: 'released', by: 'alice' });
    const b = await acquireReleaseLock(s, { holder: 'bob' });
    expect(s.state()).toMatchObject({ status: 'held', holder: 'bob' });
    await b.release();
  });

  it('takes over an expired lock in one write over the expired state', async () => {
    let now = T0;
    const s = casStore(() => now);
    await acquireReleaseLock(s, { holder: 'crashed', lockTtlSeconds: 60 });
    now = at(61);
    const b = await acquireReleaseLock(s, { holder: 'bob', lockTtlSeconds: 60 });
    expect(s.state()).toMatchObject({ status: 'held', holder: 'bob' });
    await b.release();
  });

  it('a racer whose write is refused reads again and is told who won', async () => {
    const s = casStore(() => T0);
    // Both read the lock free; alice writes first, then bob's write names a stale version.
    const readLock = s.forge.readLock;
    let reads = 0;
    let alice: Promise<unknown> | undefined;
    s.forge.readLock = async (name) => {
      const seen = await readLock(name);
      if (reads++ === 0)
        alice = acquireReleaseLock({ ...s, forge: { ...s.forge, readLock } }, { holder: 'alice' });
      await alice;
      return seen;
    };
    const err = await acquireReleaseLock(s, { holder: 'bob' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LOCK_HELD', details: { holder: 'alice' } });
    expect(s.state()).toMatchObject({ holder: 'alice' });
  });

  it('renews the lease every third of the TTL while held', async () => {
    vi.useFakeTimers({ now: T0 });
    const s = casStore(() => new Date());
    const lock = await acquireReleaseLock(s, { holder: 'alice', lockTtlSeconds: 90 });
    await vi.advanceTimersByTimeAsync(31_000);
    expect(s.state()).toMatchObject({ status: 'held', expiresAt: at(120).toISOString() });
    await vi.advanceTimersByTimeAsync(300_000);
    lock.assertHeld();
    expect(s.writes.length).toBeGreaterThan(5);
    await lock.release();
    expect(s.state()).toMatchObject({ status: 'released' });
  });

  it('a refused renewal is a lost lock: the run stops before its next write and never releases the other lock', async () => {
    vi.useFakeTimers({ now: T0 });
    const s = casStore(() => new Date());
    const lock = await acquireReleaseLock(s, { holder: 'alice', lockTtlSeconds: 90 });
    // Someone forced it meanwhile (unlock --force, then took it).
    await unlockRelease(s, { holder: 'ops', force: true });
    const bob = await acquireReleaseLock(s, { holder: 'bob', lockTtlSeconds: 90 });
    await vi.advanceTimersByTimeAsync(31_000);
    expect(() => lock.assertHeld()).toThrow(expect.objectContaining({ code: 'LOCK_LOST' }) as Error);
    await lock.release();
    expect(s.state()).toMatchObject({ status: 'held', holder: 'bob' });
    await bob.release();
  });

  it('a lease that ran out unrenewed (forge unreachable) is lost', async () => {
    vi.useFakeTimers({ now: T0 });
    const s = casStore(() => new Date());
    const lock = await acquireReleaseLock(s, { holder: 'alice', lockTtlSeconds: 3 });
    s.forge.writeLock = async () => {
      throw new Error('ECONNRESET');
    };
    await vi.advanceTimersByTimeAsync(3_500);
    expect(() => lock.assertHeld()).toThrow(/lost/);
    await lock.release();
  });

  it('unlock frees its own or an expired lock, refuses another live holder without --force, names it with --force', async () => {
    let now = T0;
    const s = casStore(() => now);
    expect(await unlockRelease(s, { holder: 'bob' })).toMatchObject({ outcome: 'free' });
    await acquireReleaseLock(s, { holder: 'alice', lockTtlSeconds: 60 });
    await expect(unlockRelease(s, { holder: 'bob' })).rejects.toMatchObject({
      code: 'LOCK_HELD',
      details: { holder: 'alice' },
    });
    expect(await unlockRelease(s, { holder: 'bob', force: true })).toMatchObject({
      outcome: 'released',
      forced: true,
      previous: { status: 'held', holder: 'alice' },
    });
    await acquireReleaseLock(s, { holder: 'alice', lockTtlSeconds: 60 });
    expect(await unlockRelease(s, { holder: 'alice' })).toMatchObject({ outcome: 'released', forced: false });
    await acquireReleaseLock(s, { holder: 'carol', lockTtlSeconds: 60 });
    now = at(120);
    expect(await unlockRelease(s, { holder: 'bob' })).toMatchObject({
      outcome: 'released',
      previous: { status: 'expired', holder: 'carol' },
    });
  });

  it('refuses a TTL that is not 1 to 86400 seconds', async () => {
    const s = casStore(() => T0);
    await expect(acquireReleaseLock(s, { lockTtlSeconds: 0 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});

/**
 * A compare-and-swap store with the forge's two-step read (version, then record) and staged
 * states (a state made without moving the lock, moved later only from its parent), logging
 * every call in order.
 */
function splitStore(now: () => Date) {
  const versions = new Map<string, { record: string; parent: string | undefined }>();
  let head: string | undefined;
  let n = 0;
  const log: string[] = [];
  const make = (record: string, parent: string | undefined) => {
    const v = `v${++n}`;
    versions.set(v, { record, parent });
    return v;
  };
  const move = (from: string | undefined, to: string) => {
    if (head !== from || versions.get(to)?.parent !== from) return false;
    head = to;
    return true;
  };
  const forge: LockPorts['forge'] = {
    async readLock() {
      log.push('read');
      return head === undefined ? undefined : { version: head, record: versions.get(head)!.record };
    },
    async writeLock(_name, from, record) {
      log.push('write');
      const v = make(record, from);
      return move(from, v) ? { written: true, version: v } : { written: false };
    },
    async readLockVersion() {
      log.push('version');
      return head;
    },
    async readLockRecord(_name, version) {
      log.push('record');
      return versions.get(version)!.record;
    },
    async stageLock(_name, from, record) {
      log.push('stage');
      return make(record, from);
    },
    async moveLock(_name, from, to) {
      log.push('move');
      return move(from, to);
    },
  };
  return {
    forge,
    clock: { now },
    log,
    head: () => head,
    parentOf: (v: string) => versions.get(v)?.parent,
    state: () => (head === undefined ? undefined : decodeLockState(versions.get(head)!.record)),
  };
}

describe('taking the lock while observing', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts observing only once the lock version is read, and observes while it acquires', async () => {
    const s = splitStore(() => T0);
    const readVersion = s.forge.readLockVersion!.bind(s.forge);
    s.forge.readLockVersion = async (name, signal) => {
      const v = await readVersion(name, signal);
      await new Promise((r) => setTimeout(r, 5));
      s.log.push('version answered');
      return v;
    };
    const { lock, observed } = await acquireReleaseLockAndObserve(
      s,
      async () => {
        s.log.push('observe');
        await new Promise((r) => setTimeout(r, 5));
        return 'the world';
      },
      { holder: 'alice' },
    );
    expect(observed).toBe('the world');
    // Absent lock: no record to read; the observation runs alongside the write.
    expect(s.log).toEqual(['version', 'version answered', 'observe', 'write']);
    expect(s.state()).toMatchObject({ status: 'held', holder: 'alice' });
    await lock.release();
    s.log.length = 0;
    const b = await acquireReleaseLockAndObserve(
      s,
      async () => {
        s.log.push('observe');
      },
      { holder: 'bob' },
    );
    expect(s.log).toEqual(['version', 'version answered', 'observe', 'record', 'write']);
    await b.lock.release();
  });

  it("makes the run's id (Web Crypto) only after the version read, for the write", async () => {
    const s = splitStore(() => T0);
    const uuid = vi.spyOn(globalThis.crypto, 'randomUUID');
    try {
      const readVersion = s.forge.readLockVersion!.bind(s.forge);
      let idsBeforeRead = -1;
      s.forge.readLockVersion = async (name, signal) => {
        idsBeforeRead = uuid.mock.calls.length;
        return readVersion(name, signal);
      };
      const { lock } = await acquireReleaseLockAndObserve(s, async () => 'the world', { holder: 'alice' });
      expect(idsBeforeRead).toBe(0);
      expect(uuid).toHaveBeenCalledTimes(1);
      const run = uuid.mock.results[0]!.value as string;
      expect(s.state()).toMatchObject({ status: 'held', holder: 'alice', run: run.slice(0, 13) });
      await lock.release();
    } finally {
      uuid.mockRestore();
    }
  });

  it('a lock held by another run is LOCK_HELD: the observation is aborted and discarded', async () => {
    const s = splitStore(() => T0);
    const alice = await acquireReleaseLock(s, { holder: 'alice' });
    let aborted = false;
    const err = await acquireReleaseLockAndObserve(
      s,
      (signal) =>
        new Promise<string>((resolve, reject) => {
          // An observation that would run long: only the abort ends it.
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
      { holder: 'bob' },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReleaseError);
    expect(err).toMatchObject({ code: 'LOCK_HELD', details: { holder: 'alice' } });
    expect(aborted).toBe(true);
    expect(s.state()).toMatchObject({ status: 'held', holder: 'alice' });
    await alice.release();
  });

  it('a write lost to a run that took the lock after our read is LOCK_HELD naming it; the observation is discarded', async () => {
    const s = splitStore(() => T0);
    await (await acquireReleaseLock(s, { holder: 'first' })).release();
    // Bob reads the version (released); carol takes the lock before bob's write.
    const readRecord = s.forge.readLockRecord!.bind(s.forge);
    let carol: Promise<unknown> | undefined;
    s.forge.readLockRecord = async (name, version, signal) => {
      const seen = await readRecord(name, version, signal);
      carol ??= acquireReleaseLock(
        { ...s, forge: { ...s.forge, readLockRecord: readRecord } },
        { holder: 'carol' },
      );
      await carol;
      return seen;
    };
    let observations = 0;
    let discarded = 0;
    const err = await acquireReleaseLockAndObserve(
      s,
      async (signal) => {
        observations++;
        await new Promise((r) => setTimeout(r, 1));
        if (signal.aborted) discarded++;
        return 'stale world';
      },
      { holder: 'bob' },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'LOCK_HELD', details: { holder: 'carol' } });
    expect(discarded).toBe(observations);
    expect(s.state()).toMatchObject({ status: 'held', holder: 'carol' });
  });

  it('an observation that fails after the lock was taken releases the lock and is thrown', async () => {
    const s = splitStore(() => T0);
    const err = await acquireReleaseLockAndObserve(
      s,
      async () => {
        await new Promise((r) => setTimeout(r, 1));
        throw new ReleaseError('PLAN_FAILED', 'the registry is down');
      },
      { holder: 'alice' },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PLAN_FAILED' });
    expect(s.state()).toMatchObject({ status: 'released', by: 'alice' });
  });

  it('a prepared release is one ref move over the held state', async () => {
    const s = splitStore(() => T0);
    const lock = await acquireReleaseLock(s, { holder: 'alice' });
    const held = s.head()!;
    await lock.prepareRelease();
    expect(s.state()).toMatchObject({ status: 'held', holder: 'alice' });
    s.log.length = 0;
    await lock.release();
    expect(s.log).toEqual(['move']);
    expect(s.state()).toMatchObject({ status: 'released', by: 'alice' });
    expect(s.parentOf(s.head()!)).toBe(held);
  });

  it('a renewal after the release was prepared: the release is made afresh over the renewed state', async () => {
    vi.useFakeTimers({ now: T0 });
    const s = splitStore(() => new Date());
    const lock = await acquireReleaseLock(s, { holder: 'alice', lockTtlSeconds: 90 });
    await lock.prepareRelease();
    await vi.advanceTimersByTimeAsync(31_000);
    expect(s.state()).toMatchObject({ status: 'held', expiresAt: at(120).toISOString() });
    const renewed = s.head()!;
    s.log.length = 0;
    await lock.release();
    expect(s.log).toEqual(['write']);
    expect(s.state()).toMatchObject({ status: 'released', by: 'alice' });
    expect(s.parentOf(s.head()!)).toBe(renewed);
  });

  it('a prepared release never moves a lock someone else took over', async () => {
    const s = splitStore(() => T0);
    const lock = await acquireReleaseLock(s, { holder: 'alice', lockTtlSeconds: 90 });
    await lock.prepareRelease();
    await unlockRelease(s, { holder: 'ops', force: true });
    const bob = await acquireReleaseLock(s, { holder: 'bob', lockTtlSeconds: 90 });
    await lock.release();
    expect(s.state()).toMatchObject({ status: 'held', holder: 'bob' });
    await bob.release();
  });
});
