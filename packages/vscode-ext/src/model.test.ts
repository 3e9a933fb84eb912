import { describe, expect, it } from 'vitest';
import { withRollbackTargets } from '@relkit/release-core';
import { status } from './__tests__/fixtures.js';
import {
  gateDescription,
  imageUrl,
  md,
  promotableVersions,
  toNodes,
  visibleReleases,
  type ViewNode,
} from './model.js';
import type { ReleaseEntry, StoreSnapshot } from './store.js';

const trusted = { show: 'active' as const, trusted: true };
const ready = (releases: ReleaseEntry[]): StoreSnapshot => ({
  kind: 'ready',
  repository: 'acme/app',
  releases,
  refreshedAt: 0,
});
const entry = (s: ReturnType<typeof status>): ReleaseEntry => ({ version: s.version, status: s });
const tokens = (n: ViewNode) => n.contextValue.split(' ');

describe('toNodes: releases', () => {
  const published = status('1.2.3', 123, 'published');
  const promoted = status('1.2.2', 122, 'promoted', { v: '1.2.2', n: 122 });

  it('gives a published version its phase, gate children with icons and a promotable token', () => {
    const [node] = toNodes(ready([entry(published)]), trusted);
    expect(node).toMatchObject({ kind: 'version', label: '1.2.3', version: '1.2.3' });
    expect(tokens(node!)).toEqual(
      expect.arrayContaining([
        'version',
        'phase-published',
        'final',
        'promotable',
        'abandonable',
        'has-url',
        'has-digest',
      ]),
    );
    expect(node!.description).toContain('published');
    expect(node!.description).toContain('ready to promote');
    expect(node!.expanded).toBe(true);
    const kinds = node!.children.map((c) => c.kind);
    expect(kinds[0]).toBe('phase');
    expect(kinds.filter((k) => k === 'gate')).toHaveLength(published.gates.length);
    expect(kinds.at(-1)).toBe('plan');
    for (const g of node!.children.filter((c) => c.kind === 'gate')) {
      expect(g.icon).toEqual({ id: 'pass', color: 'testing.iconPassed' });
      expect(tokens(g)).toContain('gate-pass');
    }
    const plan = node!.children.at(-1)!;
    expect(plan.children.map((s) => s.label)).toEqual(published.plan.steps.map((s) => s.description));
  });

  it('puts evidence in gate descriptions: short digest, check name, PR number', () => {
    const [node] = toNodes(ready([entry(published)]), trusted);
    const byId = (id: string) => node!.children.find((c) => tokens(c).includes(`gate-${id}`))!;
    expect(byId('image-present').description).toBe('0000000000000000'.slice(0, 12));
    expect(byId('image-present').digest).toMatch(/^sha256:/);
    expect(tokens(byId('image-present'))).toContain('has-digest');
    expect(byId('pr-checks').description).toContain('ci / test: success');
    expect(byId('pr-open').description).toBe('#123');
    expect(byId('pr-open').url).toBe('https://github.com/acme/app/pull/123');
    expect(tokens(byId('pr-open'))).toContain('has-url');
  });

  it('shortens commits and names platforms in evidence', () => {
    const g = {
      id: 'pr-open' as const,
      title: 'release PR',
      status: 'pass' as const,
      reason: 'merged',
      evidence: [
        { label: 'PR', value: '#7' },
        { label: 'merge commit', value: 'e1ce9cef244ca4e002bc1cd13be0aa0a94d5491f' },
        { label: 'linux/arm64', value: `sha256:${'ab'.repeat(32)}` },
      ],
    };
    expect(gateDescription(g)).toBe('#7 · e1ce9ce · arm64 abababababab');
  });

  it('writes Markdown tooltips with links to the release, PR and image', () => {
    const [node] = toNodes(ready([entry(published)]), trusted);
    expect(node!.tooltip).toContain(
      '[draft release 1\\.2\\.3](https://github.com/acme/app/releases/tag/1.2.3)',
    );
    expect(node!.tooltip).toContain('[PR \\#123](https://github.com/acme/app/pull/123)');
    expect(node!.tooltip).toContain('https://github.com/acme/app/pkgs/container/app');
    const checks = node!.children.find((c) => tokens(c).includes('gate-pr-checks'))!;
    expect(checks.tooltip).toContain('(https://github.com/acme/app/actions/runs/1)');
  });

  it('shows a failing gate with the error icon and no promote', () => {
    const [node] = toNodes(ready([entry(status('1.2.3', 123, 'unsigned'))]), trusted);
    expect(tokens(node!)).not.toContain('promotable');
    expect(node!.description).toContain('1 gate failing');
    expect(node!.icon.color).toBe('testing.iconFailed');
    const sig = node!.children.find((c) => tokens(c).includes('gate-image-signature'))!;
    expect(sig.icon.id).toBe('error');
    expect(sig.description).toMatch(/^no signature found for [0-9a-f]{12}$/);
  });

  it('offers rollback on the promoted version only when core found a target', () => {
    const alone = toNodes(ready([entry(published), entry(promoted)]), trusted);
    expect(tokens(alone[1]!)).not.toContain('rollbackable');
    expect(alone[1]!.tooltip).toContain('Roll back: not offered');
  });

  it('offers rollback on the promoted version and promote nowhere in an untrusted workspace', () => {
    const statuses = withRollbackTargets([published, promoted, status('1.2.1', 121, 'superseded')]);
    const snap = ready(statuses.map(entry));
    const [a, b] = toNodes(snap, trusted);
    expect(b!.tooltip).toContain('Roll back: possible — latest can move back to 1\\.2\\.1');
    expect(tokens(b!)).toEqual(expect.arrayContaining(['phase-promoted', 'rollbackable']));
    expect(tokens(b!)).not.toContain('promotable');
    expect(tokens(b!)).not.toContain('abandonable');
    expect(b!.children.some((c) => c.kind === 'plan')).toBe(false);
    const untrusted = toNodes(snap, { show: 'active', trusted: false });
    for (const n of untrusted) {
      expect(tokens(n)).not.toContain('promotable');
      expect(tokens(n)).not.toContain('rollbackable');
      expect(tokens(n)).not.toContain('abandonable');
    }
    expect(tokens(a!)).toContain('promotable');
  });

  it('shows the running spinner and hides actions while a command works on a version', () => {
    const [node] = toNodes(ready([entry(published)]), trusted, { version: '1.2.3', kind: 'promote' });
    expect(node!.icon.id).toBe('sync~spin');
    expect(node!.description).toBe('promote running…');
    expect(tokens(node!)).not.toContain('promotable');
    const plan = node!.children.find((c) => c.kind === 'plan')!;
    expect(plan.children.some((s) => s.icon.id === 'sync~spin')).toBe(true);
  });

  it('lists per-version read errors as warning nodes and keeps stale data with a note', () => {
    const snap: StoreSnapshot = {
      kind: 'ready',
      repository: 'acme/app',
      releases: [{ version: '1.3.0', error: { code: 'RATE_LIMITED', message: 'slow down' } }],
      refreshedAt: 0,
      lastError: { code: 'NETWORK', message: 'fetch failed' },
    };
    const nodes = toNodes(snap, trusted);
    expect(nodes[0]).toMatchObject({ kind: 'error', label: '1.3.0', description: 'RATE_LIMITED: slow down' });
    expect(nodes[1]).toMatchObject({ kind: 'state', label: 'Showing the last good data' });
  });
});

describe('toNodes: state nodes', () => {
  it.each([
    [{ kind: 'loading' }, 'Loading releases…', undefined],
    [{ kind: 'no-config', configPath: 'release.config.json' }, 'No release config', 'relkit.openConfig'],
    [
      { kind: 'invalid-config', configPath: 'r.json', message: 'images.0.name: bad' },
      'Release config is invalid',
      'relkit.openConfig',
    ],
    [{ kind: 'sign-in', message: 'sign in' }, 'Sign in to GitHub', 'relkit.signIn'],
    [
      { kind: 'offline', code: 'NETWORK', message: 'fetch failed', retryInSeconds: 10 },
      'Registry or GitHub unreachable',
      'relkit.refresh',
    ],
    [{ kind: 'error', message: 'boom' }, 'Could not read releases', 'relkit.refresh'],
    [{ kind: 'ready', repository: 'acme/app', releases: [], refreshedAt: 0 }, 'No releases yet', undefined],
  ] as [StoreSnapshot, string, string | undefined][])('%o → %s', (snap, label, command) => {
    const nodes = toNodes(snap, trusted);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ kind: 'state', label });
    expect(nodes[0]!.command?.id).toBe(command);
  });
});

describe('visibleReleases', () => {
  const list = [
    entry(status('1.4.0', 140, 'prepared')),
    entry(status('1.3.1', 131, 'abandoned')),
    entry(status('1.3.0', 130, 'published', { v: '1.2.2', n: 122 })),
    entry(status('1.2.2', 122, 'promoted', { v: '1.2.2', n: 122 })),
    entry(status('1.2.1', 121, 'superseded')),
  ];
  it('"active" keeps in-flight versions, the current latest and the release before it; never abandoned ones', () => {
    expect(visibleReleases(list, 'active').map((e) => e.version)).toEqual([
      '1.4.0',
      '1.3.0',
      '1.2.2',
      '1.2.1',
    ]);
    const older = [...list, entry(status('1.2.0', 120, 'superseded'))];
    expect(visibleReleases(older, 'active').map((e) => e.version)).toEqual([
      '1.4.0',
      '1.3.0',
      '1.2.2',
      '1.2.1',
    ]);
  });
  it('"active" lists the same versions before and after a promote and a rollback', () => {
    const seen = (...l: ReturnType<typeof status>[]) =>
      visibleReleases(l.map(entry), 'active').map((e) => e.version);
    const before = seen(
      status('1.2.3', 123, 'published'),
      status('1.2.2', 122, 'promoted', { v: '1.2.2', n: 122 }),
    );
    const afterPromote = seen(
      status('1.2.3', 123, 'promoted', { v: '1.2.3', n: 123 }),
      status('1.2.2', 122, 'superseded', { v: '1.2.3', n: 123 }),
    );
    const afterRollback = seen(
      status('1.2.3', 123, 'rolled-back'),
      status('1.2.2', 122, 'promoted', { v: '1.2.2', n: 122 }),
    );
    expect([afterPromote, afterRollback]).toEqual([before, before]);
    expect(before).toEqual(['1.2.3', '1.2.2']);
  });
  it('"all" keeps everything', () => {
    expect(visibleReleases(list, 'all')).toHaveLength(5);
  });
  it('promotableVersions follows the plan, not the phase', () => {
    expect(promotableVersions(list).map((s) => s.version)).toEqual(['1.3.0']);
  });
});

describe('helpers', () => {
  it('escapes Markdown from the outside', () => {
    expect(md('a*b_[c](d)')).toBe('a\\*b\\_\\[c\\]\\(d\\)');
  });
  it('links ghcr.io images to their package page only', () => {
    expect(imageUrl('ghcr.io/acme/app')).toBe('https://github.com/acme/app/pkgs/container/app');
    expect(imageUrl('registry.example.com/acme/app')).toBeUndefined();
  });
  it('describes a failing gate by its reason', () => {
    const g = status('1.2.3', 123, 'unsigned').gates.find((x) => x.status === 'fail')!;
    expect(gateDescription(g)).toBe(g.reason);
  });
});
