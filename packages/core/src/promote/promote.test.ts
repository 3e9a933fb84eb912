import { describe, expect, it } from 'vitest';
import { D, config, newWorld, portsFor, type FakeWorld } from './__tests__/fake-world.js';
import { ReleaseError, createReleaseService, parseConfig, type GateResult } from '../index.js';

const gate = (gates: readonly GateResult[], id: string) => gates.find((g) => g.id === id);

async function status(w: FakeWorld, version = '1.2.3') {
  return createReleaseService(config, portsFor(w)).status(version);
}

describe('signature port preparation', () => {
  it('asks the signature port to get ready for the policy while the manifests are read, before verifying', async () => {
    const w = newWorld();
    const ports = portsFor(w);
    const calls: string[] = [];
    const signatures = {
      prepare: (policy: unknown) => {
        calls.push(`prepare ${policy === config.signing} (registry: ${w.registryCalls.length} call(s))`);
      },
      verify: (...args: Parameters<typeof ports.signatures.verify>) => {
        calls.push(`verify ${args[1]}`);
        return ports.signatures.verify(...args);
      },
    };
    const s = await createReleaseService(config, { ...ports, signatures }).status('1.2.3');
    expect(s.promotable).toBe(true);
    // Prepared once per image, as the manifest reads went out and before their answers.
    expect(calls[0]).toMatch(/^prepare true \(registry: [1-9]\d* call\(s\)\)$/);
    expect(calls.indexOf(`verify ${D(123)}`)).toBeGreaterThan(0);
    // Without the optional method, the same status.
    const plain = await createReleaseService(config, portsFor(newWorld())).status('1.2.3');
    expect(plain.gates).toEqual(s.gates);
  });
});

describe('status and gates', () => {
  it('a published, signed, smoke-tested release with an approved PR is promotable', async () => {
    const s = await status(newWorld());
    expect(s.phase).toBe('smoke-passed');
    expect(s.gates.filter((g) => g.status !== 'pass')).toEqual([]);
    expect(s.promotable).toBe(true);
    expect(gate(s.gates, 'latest-order')?.reason).toBe('latest is 1.2.2');
    expect(s.plan.steps.map((p) => p.id)).toEqual([
      'move-tag ghcr.io/acme/app:latest',
      'publish-release 1.2.3',
      'merge-pr #42',
    ]);
  });

  const failing: [string, (w: FakeWorld) => void, string, 'fail' | 'pending'][] = [
    ['image missing', (w) => w.tags.delete('ghcr.io/acme/app:1.2.3'), 'image-present', 'fail'],
    ['unsigned', (w) => w.signed.delete(D(123)), 'image-signature', 'fail'],
    [
      'built from another commit',
      (w) =>
        w.builtFrom.set(D(123), {
          sourceDigest: 'f'.repeat(40),
          sourceRef: 'refs/heads/release/1.2.3',
          runnerEnvironment: 'github-hosted',
        }),
      'image-provenance',
      'fail',
    ],
    [
      'built on a self-hosted runner',
      (w) =>
        w.builtFrom.set(D(123), {
          sourceDigest: 'b'.repeat(40),
          sourceRef: 'refs/tags/1.2.3',
          runnerEnvironment: 'self-hosted',
        }),
      'image-provenance',
      'fail',
    ],
    [
      'signature lookup rate-limited',
      (w) => w.failNext.set(`verify ${D(123)}`, Object.assign(new Error('429'), { code: 'RATE_LIMITED' })),
      'image-signature',
      'pending',
    ],
    [
      'no draft release',
      (w) => (w.releases = w.releases.filter((r) => r.tag !== '1.2.3')),
      'draft-release',
      'fail',
    ],
    ['smoke only prerelease', (w) => (w.smoke = 'prerelease'), 'smoke', 'fail'],
    ['smoke missing', (w) => (w.smoke = 'missing'), 'smoke', 'pending'],
    ['PR draft', (w) => (w.pr.draft = true), 'pr-not-draft', 'fail'],
    ['PR not approved', (w) => (w.pr.approved = false), 'pr-approved', 'fail'],
    ['checks failing', (w) => (w.pr.checks = 'failure'), 'pr-checks', 'fail'],
    ['checks running', (w) => (w.pr.checks = 'pending'), 'pr-checks', 'pending'],
    ['PR has conflicts', (w) => (w.pr.mergeable = 'dirty'), 'pr-mergeable', 'fail'],
    ['mergeability unknown', (w) => (w.pr.mergeable = 'unknown'), 'pr-mergeable', 'pending'],
    [
      'latest is newer',
      (w) => {
        w.tags.set('ghcr.io/acme/app:1.3.0', D(130));
        w.tags.set('ghcr.io/acme/app:latest', D(130));
      },
      'latest-order',
      'fail',
    ],
  ];
  it.each(failing)('%s → %s gate %s, nothing else', async (_name, mutate, id, expected) => {
    const w = newWorld();
    mutate(w);
    const s = await status(w);
    const bad = s.gates.filter((g) => g.status !== 'pass');
    expect(bad.map((g) => [g.id, g.status])).toEqual([[id, expected]]);
    expect(s.promotable).toBe(false);
    expect(bad[0]!.reason.length).toBeGreaterThan(10);
  });

  it('refuses a candidate version as promote target', async () => {
    const s = await status(newWorld(), '1.2.3-rc1');
    expect(gate(s.gates, 'version')?.status).toBe('fail');
  });

  it('a single-platform manifest fails the platforms gate', async () => {
    const w = newWorld();
    const ports = portsFor(w);
    const orig = ports.registry.observeManifest;
    ports.registry.observeManifest = async (i, r) => {
      const m = await orig(i, r);
      return m.state === 'found' ? { ...m, multiArch: false, platforms: [m.platforms[0]!] } : m;
    };
    const s = await createReleaseService(config, ports).status('1.2.3');
    expect(gate(s.gates, 'image-platforms')?.status).toBe('fail');
  });
});

describe('promote', () => {
  it('moves latest, then publishes, then merges, reading each back', async () => {
    const w = newWorld();
    const events: string[] = [];
    const r = await createReleaseService(config, portsFor(w)).promote('1.2.3', {
      onEvent: (e) => events.push(e.type),
    });
    expect(r.status).toBe('succeeded');
    expect(w.writes).toEqual(['retag ghcr.io/acme/app:latest', 'publish 1.2.3', 'merge 42']);
    expect(w.tags.get('ghcr.io/acme/app:latest')).toBe(D(123));
    expect(r.journal[0]).toMatchObject({ status: 'done', before: D(122), after: D(123) });
    expect(events[0]).toBe('lock-acquired');
    expect(events.at(-1)).toBe('lock-released');
    expect(w.lock).toBeNull();
    const after = await status(w);
    expect(after.phase).toBe('promoted');
    expect(after.promotable).toBe(false);
  });

  it('lets the registry get ready for the write (a push token) while it reads the guard', async () => {
    const w = newWorld();
    expect((await createReleaseService(config, portsFor(w)).promote('1.2.3')).status).toBe('succeeded');
    const move = w.registryCalls.slice(w.registryCalls.indexOf('prepare ghcr.io/acme/app'));
    expect(move.slice(0, 4)).toEqual([
      'prepare ghcr.io/acme/app',
      'observe ghcr.io/acme/app:latest',
      'retag ghcr.io/acme/app:latest',
      'observe ghcr.io/acme/app:latest',
    ]);
  });

  it('writes nothing when a gate fails', async () => {
    const w = newWorld();
    w.pr.approved = false;
    await expect(createReleaseService(config, portsFor(w)).promote('1.2.3')).rejects.toMatchObject({
      code: 'GATE_NOT_MET',
    });
    expect(w.writes).toEqual([]);
  });

  it('converges after a failure at any step: the re-run skips what is done', async () => {
    for (const op of ['retag ghcr.io/acme/app:latest', 'publish 7', 'merge 42']) {
      const w = newWorld();
      w.failNext.set(op, Object.assign(new Error('boom'), { code: 'UNAVAILABLE' }));
      const svc = createReleaseService(config, portsFor(w));
      const first = await svc.promote('1.2.3');
      expect(first.status).toBe('failed');
      expect(first.error?.code).toBe('UNAVAILABLE');
      const second = await svc.promote('1.2.3');
      expect(second.status).toBe('succeeded');
      expect(w.writes).toEqual(['retag ghcr.io/acme/app:latest', 'publish 1.2.3', 'merge 42']);
      expect((await svc.status('1.2.3')).phase).toBe('promoted');
    }
  });

  it('re-checks the PR right before merging and refuses one that moved', async () => {
    const w = newWorld();
    const ports = portsFor(w);
    const publish = ports.forge.publishRelease;
    ports.forge.publishRelease = async (tag, o) => {
      w.pr.headSha = 'f'.repeat(40); // someone pushed while we were publishing
      return publish(tag, o);
    };
    const r = await createReleaseService(config, ports).promote('1.2.3');
    expect(r.status).toBe('failed');
    expect(r.error?.code).toBe('GATE_NOT_MET');
    expect(w.writes).toEqual(['retag ghcr.io/acme/app:latest', 'publish 1.2.3']);
  });

  it('refuses to run while another promote holds the lock', async () => {
    const w = newWorld();
    w.lock = { holder: 'alice@laptop', since: '2026-11-27T00:00:00Z' };
    const err = await createReleaseService(config, portsFor(w))
      .promote('1.2.3')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReleaseError);
    expect((err as ReleaseError).code).toBe('LOCK_HELD');
    expect((err as ReleaseError).message).toContain('alice@laptop');
    expect(w.writes).toEqual([]);
  });

  it('a run that takes the lock right after another released it plans from what that run wrote', async () => {
    const w = newWorld();
    const ports = portsFor(w);
    const readLock = ports.forge.readLock.bind(ports.forge);
    // Run A holds the lock when B starts; A finishes (its three writes) and releases while B
    // is reading the lock. B must observe after it holds the lock, so it writes nothing again.
    let a: Promise<unknown> | undefined;
    (ports.forge as { readLock: typeof readLock }).readLock = async (name, signal) => {
      if (!a) {
        a = createReleaseService(config, { ...ports, forge: { ...ports.forge, readLock } }).promote('1.2.3', {
          holder: 'run A',
        });
        await a;
      }
      return readLock(name, signal);
    };
    const b = await createReleaseService(config, ports).promote('1.2.3', { holder: 'run B' });
    expect(b.status).toBe('succeeded');
    expect(w.writes).toEqual(['retag ghcr.io/acme/app:latest', 'publish 1.2.3', 'merge 42']);
    expect(b.journal.every((j) => j.status === 'skipped')).toBe(true);
  });

  it('observes nothing before the lock was read, and observes while it takes the lock', async () => {
    const w = newWorld();
    const ports = portsFor(w);
    const order: string[] = [];
    const forge = ports.forge as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
    for (const name of ['readLock', 'writeLock', 'observeRelease', 'observeTag', 'observePullRequest']) {
      const call = forge[name]!.bind(ports.forge);
      forge[name] = async (...args: unknown[]) => {
        order.push(`${name} asked`);
        const r = await call(...args);
        order.push(`${name} answered`);
        return r;
      };
    }
    const r = await createReleaseService(config, ports).promote('1.2.3', { holder: 'run A' });
    expect(r.status).toBe('succeeded');
    expect(order.slice(0, 2)).toEqual(['readLock asked', 'readLock answered']);
    // The observation starts with the acquisition, not after its write.
    const firstObservation = order.findIndex((o) => o.startsWith('observe'));
    expect(firstObservation).toBeGreaterThan(1);
    expect(firstObservation).toBeLessThan(order.indexOf('writeLock answered'));
  });

  it('cleans up candidate images but never a digest the version or latest still names', async () => {
    // The OCI route (a registry with deletes; ghcr.io itself takes the Packages API by default).
    const cfg = parseConfig({ ...config, cleanupCandidates: true, cleanup: { via: 'registry' } });
    const w = newWorld();
    w.tags.set('ghcr.io/acme/app:1.2.3-rc2', D(123)); // the final is the rc2 build
    const r = await createReleaseService(cfg, portsFor(w)).promote('1.2.3');
    expect(r.status).toBe('succeeded');
    expect(w.tags.has('ghcr.io/acme/app:1.2.3-rc1')).toBe(false);
    expect(w.tags.get('ghcr.io/acme/app:1.2.3')).toBe(D(123));
    expect(w.tags.get('ghcr.io/acme/app:1.2.3-rc2')).toBe(D(123));
  });

  it('moves floating tags when configured', async () => {
    const cfg = parseConfig({ ...config, floatingTags: true });
    const w = newWorld();
    await createReleaseService(cfg, portsFor(w)).promote('1.2.3');
    expect(w.tags.get('ghcr.io/acme/app:1')).toBe(D(123));
    expect(w.tags.get('ghcr.io/acme/app:1.2')).toBe(D(123));
  });
});

describe('rollback and abandon', () => {
  it('rolls latest back to an earlier signed version and leaves releases alone', async () => {
    const w = newWorld();
    const svc = createReleaseService(config, portsFor(w));
    await svc.promote('1.2.3');
    w.writes.length = 0;
    const r = await svc.rollback('1.2.2');
    expect(r.status).toBe('succeeded');
    expect(w.writes).toEqual(['retag ghcr.io/acme/app:latest']);
    expect(w.tags.get('ghcr.io/acme/app:latest')).toBe(D(122));
    expect(r.journal[0]).toMatchObject({ before: D(123), after: D(122) });
  });

  it('refuses a rollback to an unsigned version and a "rollback" forward', async () => {
    const w = newWorld();
    w.signed.delete(D(122));
    const svc = createReleaseService(config, portsFor(w));
    await svc.promote('1.2.3');
    await expect(svc.rollback('1.2.2')).rejects.toMatchObject({ code: 'GATE_NOT_MET' });
    const w2 = newWorld();
    await expect(createReleaseService(config, portsFor(w2)).rollback('1.2.3')).rejects.toMatchObject({
      code: 'ROLLBACK_REFUSED',
    });
  });

  it('abandons drafts only: deletes the draft, the tag, closes the PR, deletes the branch', async () => {
    const w = newWorld();
    const r = await createReleaseService(config, portsFor(w)).abandon('1.2.3');
    expect(r.status).toBe('succeeded');
    expect(w.writes).toEqual([
      'delete release 1.2.3',
      'delete tag 1.2.3',
      'close 42',
      'delete branch release/1.2.3',
    ]);
  });

  it('refuses to abandon once published', async () => {
    const w = newWorld();
    const svc = createReleaseService(config, portsFor(w));
    await svc.promote('1.2.3');
    await expect(svc.abandon('1.2.3')).rejects.toMatchObject({ code: 'ABANDON_REFUSED' });
  });
});

describe('config', () => {
  it('names the JSON path of each problem', () => {
    expect(() => parseConfig({ repository: 'acme', images: [{ name: 'GHCR.io/Acme' }] })).toThrow(
      /at \$\.repository[\s\S]*at \$\.images\[0\]\.name/,
    );
  });
  it('requires a signing policy when images are configured', () => {
    expect(() => parseConfig({ repository: 'acme/app', images: [{ name: 'ghcr.io/acme/app' }] })).toThrow(
      /signing/,
    );
  });
  it('refuses unknown keys (typos must not silently disable a gate)', () => {
    expect(() => parseConfig({ repository: 'acme/app', requireAproval: false })).toThrow(/requireAproval/);
  });
});

describe('phase of earlier releases', () => {
  it('an earlier published release that a newer one replaced as latest is superseded, not interrupted', async () => {
    const w = newWorld();
    await createReleaseService(config, portsFor(w)).promote('1.2.3');
    w.pr.state = 'open'; // the PR search finds 1.2.3's PR for head release/1.2.2 in the fake: make it not merged
    const s = await createReleaseService(config, portsFor(w)).status('1.2.2');
    expect(s).toMatchObject({ phase: 'superseded', promoteInProgress: false });
    w.pr.state = 'closed';
    const s2 = await createReleaseService(config, portsFor(w)).status('1.2.2');
    expect(s2).toMatchObject({ phase: 'superseded', promoteInProgress: false, promotable: false });
  });
});
