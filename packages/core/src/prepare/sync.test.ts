// After promote merges release/X.Y.Z into main, the integration branch gets it back: a
// fast-forward when dev has not moved, a sync PR when it has; best effort inside promote.
import { describe, expect, it } from 'vitest';
import { createReleaseService, parseConfig } from '../index.js';
import { config as promoteConfig, newWorld, portsFor } from '../promote/__tests__/fake-world.js';
import { gitflowWorld } from './__tests__/gitflow-world.js';
import { syncIntegrationBranch, type SyncStep } from './sync.js';

const step: SyncStep = {
  kind: 'sync-integration-branch',
  branch: 'dev',
  base: 'main',
  version: '1.3.0',
  syncBranch: 'sync/1.3.0',
};

/** dev → release/1.3.0 (frozen + finalized) → merged into main with a merge commit. */
function released() {
  const w = gitflowWorld();
  w.branches.set('release/1.3.0', w.branches.get('dev')!);
  w.commit('release/1.3.0', 'CHANGELOG.md', 'finalized');
  w.merge('release/1.3.0', 'main');
  return w;
}

describe('syncIntegrationBranch', () => {
  it('fast-forwards dev to main when main contains dev (no commit, a non-forced ref move)', async () => {
    const w = released();
    const main = w.branches.get('main')!;
    const out = await syncIntegrationBranch(w.forge, step);
    expect(out).toMatchObject({
      after: main,
      message: expect.stringContaining('fast-forwarded dev to main'),
    });
    expect(w.branches.get('dev')).toBe(main);
    expect(await syncIntegrationBranch(w.forge, step)).toMatchObject({ alreadyDone: true });
  });

  it('opens a sync PR from sync/X.Y.Z at main when dev moved on; open or merged counts as done', async () => {
    const w = released();
    w.commit('dev', 'next.txt', 'the next feature');
    const main = w.branches.get('main')!;
    const out = await syncIntegrationBranch(w.forge, step);
    expect(out.message).toMatch(/dev has diverged from main: opened sync PR #101/);
    expect(w.branches.get('sync/1.3.0')).toBe(main);
    expect(w.pulls[0]).toMatchObject({ head: 'sync/1.3.0', base: 'dev', draft: false });
    expect(w.calls).not.toContain('fastForward dev');
    expect(await syncIntegrationBranch(w.forge, step)).toMatchObject({ alreadyDone: true });
    w.merge('sync/1.3.0', 'dev');
    expect(await syncIntegrationBranch(w.forge, step)).toMatchObject({ alreadyDone: true });
  });

  it('falls back to a sync PR when the fast-forward is refused (a protected dev)', async () => {
    const w = released();
    w.faults.add('fastForward');
    const out = await syncIntegrationBranch(w.forge, step);
    expect(out.message).toMatch(/fast-forward refused: injected failure/);
    expect(w.pulls).toHaveLength(1);
  });

  it('throws with the way out when it cannot', async () => {
    const w = released();
    w.commit('dev', 'next.txt', 'x');
    w.faults.add('openPullRequest');
    await expect(syncIntegrationBranch(w.forge, step)).rejects.toThrow(/injected failure/);
    await expect(syncIntegrationBranch(undefined, step)).rejects.toThrow(
      /open a PR main → dev \(or re-run release-cli promote 1\.3\.0/,
    );
  });
});

describe('promote with an integration branch', () => {
  const gitflow = parseConfig({ ...promoteConfig, integrationBranch: 'dev' });

  it('plans the sync after the merge, best effort, only when integrationBranch differs and syncing is on', async () => {
    const w = newWorld();
    const plan = await createReleaseService(gitflow, portsFor(w)).planPromote('1.2.3');
    const kinds = plan.steps.map((s) => s.step.kind);
    expect(kinds.indexOf('sync-integration-branch')).toBe(kinds.indexOf('merge-pr') + 1);
    expect(plan.steps.find((s) => s.step.kind === 'sync-integration-branch')).toMatchObject({
      bestEffort: true,
      irreversible: false,
      step: { branch: 'dev', base: 'main', syncBranch: 'sync/1.2.3' },
    });
    const off = parseConfig({ ...promoteConfig, integrationBranch: 'dev', syncIntegrationBranch: false });
    for (const c of [promoteConfig, off]) {
      const p = await createReleaseService(c, portsFor(newWorld())).planPromote('1.2.3');
      expect(p.steps.map((s) => s.step.kind)).not.toContain('sync-integration-branch');
    }
  });

  it('a failing sync is a warning: the release is promoted and the way out is said', async () => {
    const w = newWorld();
    const r = await createReleaseService(gitflow, portsFor(w)).promote('1.2.3');
    expect(r.status).toBe('succeeded');
    const sync = r.journal.find((j) => j.kind === 'sync-integration-branch');
    expect(sync).toMatchObject({
      status: 'warning',
      message: expect.stringContaining('open a PR main → dev'),
    });
  });

  it('with a branch port, dev is fast-forwarded to the merge', async () => {
    const w = newWorld();
    const g = released();
    const r = await createReleaseService(gitflow, { ...portsFor(w), branches: g.forge }).promote('1.2.3');
    expect(r.journal.find((j) => j.kind === 'sync-integration-branch')).toMatchObject({ status: 'done' });
    expect(g.branches.get('dev')).toBe(g.branches.get('main'));
  });
});
