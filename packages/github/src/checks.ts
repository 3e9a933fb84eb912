import type { CheckResult, CheckSummary, CheckVerdict } from './types.js';
import { compareNames } from './name-order.js';

/** A check run or commit status as GitHub lists it, reduced to what the verdict needs. */
export interface RawCheck {
  readonly source: 'check-run' | 'status';
  readonly id: number;
  readonly name: string;
  /** check run: status (queued, in_progress, completed, …); commit status: state. */
  readonly status: string;
  /** check run conclusion when completed; null otherwise and for commit statuses. */
  readonly conclusion: string | null;
  readonly startedAt: string;
  readonly url: string | null;
  /**
   * What makes two runs "the same check": GitHub lets many apps and workflows report runs of one
   * name, and only a re-run of the same check supersedes (app + name, plus the workflow run for
   * GitHub Actions). Default: the name alone (commit statuses: the context is the identity).
   */
  readonly identity?: string;
}

const FAILED = new Set([
  'failure',
  'error',
  'cancelled',
  'timed_out',
  'action_required',
  'startup_failure',
  'stale',
]);
const PENDING = new Set(['pending', 'queued', 'in_progress', 'waiting', 'requested', 'expected']);

/** One verdict per check: a check run's conclusion (or its status while running), a status's state. */
export function normalizeCheck(c: RawCheck): { verdict: CheckVerdict; raw: string } {
  const raw = (c.source === 'check-run' && c.status === 'completed' ? c.conclusion : c.status) ?? 'pending';
  const v = raw.toLowerCase();
  if (v === 'success') return { verdict: 'success', raw };
  if (v === 'neutral') return { verdict: 'neutral', raw };
  if (v === 'skipped') return { verdict: 'skipped', raw };
  if (FAILED.has(v)) return { verdict: 'failure', raw };
  if (PENDING.has(v)) return { verdict: 'pending', raw };
  // Anything GitHub may add later is not a success: fail closed.
  return { verdict: 'failure', raw };
}

/**
 * Merges check runs and commit statuses into one verdict, counting only the latest run per identity
 * (a re-run that passed supersedes the failed run before it, the way `gh pr checks` shows it).
 */
export function summarizeChecks(raw: readonly RawCheck[]): CheckSummary {
  const latest = new Map<string, RawCheck>();
  for (const c of raw) {
    const key = c.identity ?? c.name;
    const seen = latest.get(key);
    const newer =
      !seen ||
      Date.parse(c.startedAt) > Date.parse(seen.startedAt) ||
      (Date.parse(c.startedAt) === Date.parse(seen.startedAt) && c.id > seen.id);
    if (newer) latest.set(key, c);
  }
  const checks: CheckResult[] = [...latest.values()]
    .map((c) => ({
      name: c.name,
      source: c.source,
      ...normalizeCheck(c),
      startedAt: c.startedAt,
      url: c.url,
    }))
    .sort((a, b) => compareNames(a.name, b.name));
  const failed = checks.filter((c) => c.verdict === 'failure').map((c) => c.name);
  const pending = checks.filter((c) => c.verdict === 'pending').map((c) => c.name);
  const verdict = failed.length
    ? 'failed'
    : pending.length
      ? 'pending'
      : checks.some((c) => c.verdict === 'success')
        ? 'green'
        : 'none';
  return { verdict, checks, failed, pending, superseded: raw.length - checks.length };
}
