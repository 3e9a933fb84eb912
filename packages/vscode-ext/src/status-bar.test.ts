import { describe, expect, it } from 'vitest';
import { status } from './__tests__/fixtures.js';
import { newlyPromotable, statusBarState } from './status-bar.js';
import type { ReleaseEntry, StoreSnapshot } from './store.js';

const ready = (...releases: ReleaseEntry[]): StoreSnapshot & { kind: 'ready' } => ({
  kind: 'ready',
  repository: 'acme/app',
  releases,
  refreshedAt: 0,
});
const entry = (v: string, n: number, shape: Parameters<typeof status>[2]): ReleaseEntry => ({
  version: v,
  status: status(v, n, shape),
});

describe('statusBarState', () => {
  it('shows the newest release in flight, and the selected one when there is a selection', () => {
    const snap = ready(entry('1.2.3', 123, 'published'), entry('1.2.2', 122, 'promoted'));
    expect(statusBarState(snap)).toMatchObject({
      text: '$(rocket) 1.2.3: ready to promote',
      version: '1.2.3',
    });
    expect(statusBarState(snap, '1.2.2')).toMatchObject({
      text: '$(pass) 1.2.2: promoted',
      version: '1.2.2',
    });
    expect(statusBarState(snap)?.tooltip).toMatch(
      /^acme\/app 1\.2\.3: phase smoke-passed|^acme\/app 1\.2\.3: phase /,
    );
  });

  it('says blocked for a release whose gates fail, and hides without data or anything in flight', () => {
    expect(statusBarState(ready(entry('1.2.3', 123, 'unsigned')))?.text).toMatch(
      /^\$\(package\) 1\.2\.3: .*, blocked$/,
    );
    expect(statusBarState(ready(entry('1.2.2', 122, 'promoted')))).toBeUndefined();
    expect(statusBarState({ kind: 'loading' })).toBeUndefined();
  });
});

describe('newlyPromotable', () => {
  it('names a watched release that became promotable, once', () => {
    const blocked = ready(entry('1.2.3', 123, 'unsigned'));
    const ok = ready(entry('1.2.3', 123, 'published'));
    expect(newlyPromotable(blocked, ok)).toEqual(['1.2.3']);
    expect(newlyPromotable(ok, ok)).toEqual([]);
  });

  it('announces nothing on the first snapshot, for a new version, or across repositories', () => {
    const ok = ready(entry('1.2.3', 123, 'published'));
    expect(newlyPromotable(undefined, ok)).toEqual([]);
    expect(newlyPromotable({ kind: 'loading' }, ok)).toEqual([]);
    expect(newlyPromotable(ready(), ok)).toEqual([]);
    expect(
      newlyPromotable({ ...ready(entry('1.2.3', 123, 'unsigned')), repository: 'acme/other' }, ok),
    ).toEqual([]);
  });
});
