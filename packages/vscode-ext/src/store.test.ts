import type { ReleaseService, ReleaseStatus } from '@relkit/release-core';
import { describe, expect, it } from 'vitest';
import { config, status } from './__tests__/fixtures.js';
import { ExtensionError } from './errors.js';
import { nextDelayMs, ReleaseStore, type StoreSnapshot, type Timers } from './store.js';

/** Timers the test advances by hand: no real waiting, no timing assertions. */
function manualTimers() {
  const pending: { fn: () => void; ms: number; id: number }[] = [];
  let next = 1;
  const timers: Timers = {
    setTimeout: (fn, ms) => {
      pending.push({ fn, ms, id: next });
      return next++;
    },
    clearTimeout: (h) => {
      const i = pending.findIndex((p) => p.id === h);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return {
    timers,
    pending,
    /** Runs the one scheduled timer and returns its delay. */
    fire(): number {
      const t = pending.shift();
      if (!t) throw new Error('nothing scheduled');
      t.fn();
      return t.ms;
    },
  };
}

type Behaviour = { versions: string[]; statuses: Map<string, ReleaseStatus | Error>; listError?: Error };

/** A ReleaseService stand-in serving plain ReleaseStatus data. */
function service(b: Behaviour, calls: string[] = []): ReleaseService {
  const unused = () => Promise.reject(new Error('not used by the store'));
  return {
    config,
    async listVersions(o) {
      calls.push(`list ${o?.limit}`);
      if (b.listError) throw b.listError;
      return b.versions;
    },
    async status(v, signal) {
      calls.push(`status ${v}`);
      await Promise.resolve();
      if (signal?.aborted) throw new Error('aborted');
      const s = b.statuses.get(v);
      if (s instanceof Error) throw s;
      if (!s) throw new Error(`no ${v}`);
      return s;
    },
    planPromote: unused,
    promote: unused,
    planRollback: unused,
    rollback: unused,
    planAbandon: unused,
    abandon: unused,
    unlock: unused,
  };
}

const codeError = (code: string, message: string) => Object.assign(new Error(message), { code });

function setup(b: Behaviour, connect?: () => Promise<ReleaseService>) {
  const t = manualTimers();
  let clock = 1_000_000;
  const calls: string[] = [];
  const changes: StoreSnapshot[] = [];
  const store = new ReleaseStore({
    connect: connect ?? (async () => service(b, calls)),
    configPath: () => 'release.config.json',
    limit: () => 5,
    pollIntervalMs: () => 60_000,
    timers: t.timers,
    now: () => clock,
  });
  store.onDidChange((s) => changes.push(s));
  return { store, t, calls, changes, advance: (ms: number) => (clock += ms) };
}

const published = status('1.2.3', 123, 'published');
const promoted = status('1.2.2', 122, 'promoted', { v: '1.2.2', n: 122 });
const world = (): Behaviour => ({
  versions: ['1.2.3', '1.2.2'],
  statuses: new Map<string, ReleaseStatus | Error>([
    ['1.2.3', published],
    ['1.2.2', promoted],
  ]),
});

describe('ReleaseStore', () => {
  it('starts loading, then holds every version in order and schedules the next poll', async () => {
    const { store, t, calls, changes } = setup(world());
    expect(store.snapshot.kind).toBe('loading');
    await store.refresh();
    expect(calls).toEqual(['list 5', 'status 1.2.3', 'status 1.2.2']);
    const s = store.snapshot;
    expect(s.kind).toBe('ready');
    if (s.kind !== 'ready') return;
    expect(s.repository).toBe('acme/app');
    expect(s.releases.map((r) => r.version)).toEqual(['1.2.3', '1.2.2']);
    expect(changes).toHaveLength(1);
    expect(t.pending.map((p) => p.ms)).toEqual([60_000]);
  });

  it('backs off exponentially on errors and returns to the interval after a success', async () => {
    const b = world();
    b.listError = codeError('UNAVAILABLE', 'GitHub is down');
    const { store, t } = setup(b);
    await store.refresh();
    expect(store.snapshot).toMatchObject({ kind: 'offline', code: 'UNAVAILABLE', retryInSeconds: 5 });
    const delays = [t.pending[0]!.ms];
    for (let i = 0; i < 3; i++) {
      t.fire();
      await store['inflight']?.done;
      delays.push(t.pending[0]!.ms);
    }
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(store.failureCount).toBe(4);
    delete b.listError;
    t.fire();
    await store['inflight']?.done;
    expect(store.snapshot.kind).toBe('ready');
    expect(store.failureCount).toBe(0);
    expect(t.pending.map((p) => p.ms)).toEqual([60_000]);
  });

  it('caps the backoff', () => {
    expect(nextDelayMs(30, 60_000)).toBe(600_000);
    expect(nextDelayMs(0, 30_000)).toBe(30_000);
  });

  it('keeps the last good releases when a later refresh fails', async () => {
    const b = world();
    const { store } = setup(b);
    await store.refresh();
    b.listError = codeError('NETWORK', 'fetch failed');
    await store.refresh();
    const s = store.snapshot;
    expect(s.kind).toBe('ready');
    if (s.kind === 'ready') {
      expect(s.releases).toHaveLength(2);
      expect(s.lastError).toEqual({ code: 'NETWORK', message: 'fetch failed' });
    }
  });

  it('turns an unreadable version into an error entry and keeps the others', async () => {
    const b = world();
    b.statuses.set('1.2.2', codeError('RATE_LIMITED', 'secondary rate limit'));
    const { store } = setup(b);
    await store.refresh();
    const s = store.snapshot;
    expect(s.kind === 'ready' && s.releases[1]).toEqual({
      version: '1.2.2',
      error: { code: 'RATE_LIMITED', message: 'secondary rate limit' },
    });
  });

  it.each([
    [new ExtensionError('NO_CONFIG', 'missing'), { kind: 'no-config', configPath: 'release.config.json' }],
    [new ExtensionError('SIGN_IN_REQUIRED', 'sign in'), { kind: 'sign-in', message: 'sign in' }],
    [codeError('UNAUTHORIZED', 'Bad credentials'), { kind: 'sign-in' }],
    [codeError('INVALID_CONFIG', 'images.0: bad'), { kind: 'invalid-config', message: 'images.0: bad' }],
    [new ExtensionError('NO_WORKSPACE', 'open a folder'), { kind: 'no-workspace' }],
    [new Error('boom'), { kind: 'error', message: 'boom' }],
  ] as [Error, Partial<StoreSnapshot>][])('shows %s as a state', async (err, expected) => {
    const { store } = setup(world(), () => Promise.reject(err));
    await store.refresh();
    expect(store.snapshot).toMatchObject(expected);
  });

  it('connects again after a failed connect (e.g. after signing in)', async () => {
    let attempts = 0;
    const b = world();
    const { store } = setup(b, async () => {
      attempts++;
      if (attempts === 1) throw new ExtensionError('SIGN_IN_REQUIRED', 'sign in');
      return service(b);
    });
    await store.refresh();
    expect(store.snapshot.kind).toBe('sign-in');
    await store.refresh();
    expect(store.snapshot.kind).toBe('ready');
    await store.refresh();
    expect(attempts).toBe(2);
    store.resetConnection();
    await store.refresh();
    expect(attempts).toBe(3);
  });

  it('lets the newest refresh win: an older one in flight is aborted and publishes nothing', async () => {
    const { store, changes } = setup(world());
    const first = store.refresh();
    const second = store.refresh();
    await Promise.all([first, second]);
    expect(changes).toHaveLength(1);
    expect(store.snapshot.kind).toBe('ready');
  });

  it('refreshes on window focus only when the data is stale and nothing is in flight', async () => {
    const { store, calls, advance } = setup(world());
    await store.refresh();
    calls.length = 0;
    store.onWindowFocus();
    expect(calls).toEqual([]);
    advance(11_000);
    store.onWindowFocus();
    store.onWindowFocus();
    await store['inflight']?.done;
    expect(calls.filter((c) => c.startsWith('list'))).toHaveLength(1);
  });

  it('never blocks: refresh() returns at once and the snapshot is readable while it runs', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const b = world();
    const { store } = setup(b, async () => {
      await gate;
      return service(b);
    });
    const p = store.refresh();
    expect(store.snapshot.kind).toBe('loading');
    release();
    await p;
    expect(store.snapshot.kind).toBe('ready');
  });

  it('stops polling when disposed', async () => {
    const { store, t } = setup(world());
    await store.refresh();
    store.dispose();
    expect(t.pending).toEqual([]);
    await store.refresh();
    expect(t.pending).toEqual([]);
  });
});
