// `release-cli unlock [--force]` and `--lock-ttl` in-process: core's unlock over an in-memory
// lock with the forge's compare-and-swap semantics (the simulator e2e runs the real thing).
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  acquireReleaseLock,
  unlockRelease,
  type ForgePort,
  type ReleaseService,
  type StoredLock,
} from '@relkit/release-core';
import { ExitCode, type CliContext } from '../command.js';
import { main } from '../main.js';
import { releaseCommands } from './release.js';

function lockWorld() {
  let stored: StoredLock | undefined;
  let n = 0;
  const forge: Pick<ForgePort, 'readLock' | 'writeLock'> = {
    async readLock() {
      return stored;
    },
    async writeLock(_name, from, record) {
      if (from !== stored?.version) return { written: false };
      stored = { version: `v${++n}`, record };
      return { written: true, version: stored.version };
    },
  };
  const svc = { unlock: (o) => unlockRelease({ forge }, o) } as Pick<ReleaseService, 'unlock'>;
  return { forge, svc: svc as ReleaseService };
}

function capture(svc: ReleaseService, env: Record<string, string> = { USER: 'alice' }) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
    cwd: process.cwd(),
    isTTY: false,
    connect: async () => svc,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

describe('release-cli unlock', () => {
  it('says the lock is free when nobody took it', async () => {
    const w = lockWorld();
    const c = capture(w.svc);
    expect(await main(['unlock'], c.ctx, releaseCommands)).toBe(ExitCode.ok);
    expect(c.out()).toBe('the release lock is free (never taken)\n');
  });

  it('frees a lock of this identity (user@host) without --force', async () => {
    const w = lockWorld();
    await acquireReleaseLock({ forge: w.forge }, { holder: `alice@${hostname()}` });
    const c = capture(w.svc);
    expect(await main(['unlock'], c.ctx, releaseCommands)).toBe(ExitCode.ok);
    expect(c.out()).toMatch(new RegExp(`^released the release lock \\(held by alice@${hostname()} since `));
  });

  it('refuses another live holder with exit 4 naming it; --force frees it and says whose it was', async () => {
    const w = lockWorld();
    await acquireReleaseLock({ forge: w.forge }, { holder: 'bob (run 7)' });
    const refused = capture(w.svc);
    expect(await main(['unlock'], refused.ctx, releaseCommands)).toBe(ExitCode.lockHeld);
    expect(refused.err()).toMatch(/holds the lock: bob \(run 7\) since .*release-cli unlock --force/);
    const json = capture(w.svc);
    expect(await main(['unlock', '--json'], json.ctx, releaseCommands)).toBe(ExitCode.lockHeld);
    expect(JSON.parse(json.out())).toMatchObject({
      error: { code: 'LOCK_HELD', details: { holder: 'bob (run 7)' } },
    });
    const forced = capture(w.svc);
    expect(await main(['unlock', '--force', '--json'], forced.ctx, releaseCommands)).toBe(ExitCode.ok);
    expect(JSON.parse(forced.out())).toMatchObject({
      outcome: 'released',
      forced: true,
      previous: { status: 'held', holder: 'bob (run 7)' },
    });
  });

  it('documents unlock, --force and --lock-ttl in --help', async () => {
    const w = lockWorld();
    const u = capture(w.svc);
    expect(await main(['unlock', '--help'], u.ctx, releaseCommands)).toBe(ExitCode.ok);
    expect(u.out()).toContain('--force');
    for (const command of ['promote', 'rollback', 'abandon']) {
      const c = capture(w.svc);
      await main([command, '--help'], c.ctx, releaseCommands);
      expect(c.out()).toContain('--lock-ttl S');
    }
  });

  it('refuses a --lock-ttl out of range as a usage error', async () => {
    const w = lockWorld();
    const c = capture(w.svc);
    expect(await main(['promote', '1.2.3', '--yes', '--lock-ttl', 'soon'], c.ctx, releaseCommands)).toBe(
      ExitCode.usage,
    );
    expect(c.err()).toContain('--lock-ttl takes 1 to 86400 seconds');
  });
});
