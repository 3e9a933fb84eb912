// The status bar item and the "ready to promote" notification: pure decisions over the store's
// snapshots, so the extension only shows what these return.
import type { ReleaseStatus } from '@relkit/release-core';
import { SETTLED } from './model.js';
import type { ReleaseEntry, StoreSnapshot } from './store.js';

export interface StatusBarState {
  readonly text: string;
  readonly tooltip: string;
  /** The version the item stands for (clicking it shows that release's status). */
  readonly version: string;
}

const statuses = (entries: readonly ReleaseEntry[]): ReleaseStatus[] =>
  entries.flatMap((e) => ('status' in e ? [e.status] : []));

/** What a release waits for, in a few words (the CLI's status line says the same). */
function outlook(s: ReleaseStatus): string {
  if (SETTLED.has(s.phase)) return s.phase;
  if (s.actions.promote.allowed)
    return s.phase === 'rolled-back' ? 'ready to roll forward' : 'ready to promote';
  return `${s.phase}, ${s.verdict === 'pending' ? 'waiting' : 'blocked'}`;
}

/**
 * The selected release's phase, else the newest release still in flight; nothing when there is
 * no data or nothing in flight (the item hides).
 */
export function statusBarState(snapshot: StoreSnapshot, selected?: string): StatusBarState | undefined {
  if (snapshot.kind !== 'ready') return undefined;
  const all = statuses(snapshot.releases);
  const s = all.find((x) => x.version === selected) ?? all.find((x) => !SETTLED.has(x.phase));
  if (!s) return undefined;
  const icon = s.actions.promote.allowed ? '$(rocket)' : SETTLED.has(s.phase) ? '$(pass)' : '$(package)';
  const passing = s.gates.filter((g) => g.status === 'pass').length;
  return {
    text: `${icon} ${s.version}: ${outlook(s)}`,
    tooltip: `${snapshot.repository} ${s.version}: phase ${s.phase}, ${passing}/${s.gates.length} gates pass`,
    version: s.version,
  };
}

/**
 * Versions that became promotable between two snapshots of the same repository. The first
 * snapshot announces nothing (the view already shows what is ready when it opens).
 */
export function newlyPromotable(previous: StoreSnapshot | undefined, current: StoreSnapshot): string[] {
  if (previous?.kind !== 'ready' || current.kind !== 'ready') return [];
  if (previous.repository !== current.repository) return [];
  const before = new Map(statuses(previous.releases).map((s) => [s.version, s.actions.promote.allowed]));
  return statuses(current.releases)
    .filter((s) => s.actions.promote.allowed && before.has(s.version) && !before.get(s.version))
    .map((s) => s.version);
}
