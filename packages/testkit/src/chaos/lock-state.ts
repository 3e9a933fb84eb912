import type { GitHubSimulator } from '../github/index.js';

/** Where relkit keeps its locks (one ref per lock name). */
export const LOCK_REF_PREFIX = 'refs/relkit-locks/';

export interface LockRefState {
  readonly ref: string;
  readonly state: 'released' | 'expired' | 'held';
  readonly message: string;
  readonly expiresAt: string | undefined;
}

/** Every lock ref and its state; free means none is `held`. */
export interface LockSnapshot {
  readonly free: boolean;
  readonly refs: readonly LockRefState[];
  /** The latest expiry of a held lock (when a waiter may take it over). */
  readonly heldUntil: number | undefined;
}

/**
 * Reads the locks through the simulator's REST API (matching-refs, then the commit each ref
 * names), as any client would, and judges each state from its commit message without knowing
 * the lock's implementation: a lock is free when its ref is absent, or the JSON it records says
 * released (state/status "released", `released: true`, a `releasedAt`), or its expiry passed
 * (`expiresAt`, or a lease's `until`/`leaseUntil`).
 */
export async function readLockSnapshot(
  github: GitHubSimulator,
  repository: string,
  now = Date.now(),
): Promise<LockSnapshot> {
  const api = async (path: string) => {
    const res = await fetch(`${github.url}/repos/${repository}${path}`, {
      headers: { authorization: `token ${github.pushToken}`, accept: 'application/vnd.github+json' },
    });
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as unknown;
  };
  const refs = (await api(`/git/matching-refs/${LOCK_REF_PREFIX.slice('refs/'.length, -1)}`)) as {
    ref: string;
    object: { sha: string };
  }[];
  const states: LockRefState[] = [];
  for (const r of refs) {
    const commit = (await api(`/git/commits/${r.object.sha}`)) as { message: string };
    states.push({ ref: r.ref, ...judgeLockMessage(commit.message, now) });
  }
  const held = states.filter((s) => s.state === 'held');
  const expiries = held.map((s) => Date.parse(s.expiresAt ?? '')).filter(Number.isFinite);
  return {
    free: held.length === 0,
    refs: states,
    heldUntil: expiries.length ? Math.max(...expiries) : undefined,
  };
}

// What a lock's JSON may call its expiry (the read-then-delete lock says expiresAt; a leased
// compare-and-swap lock may name it after the lease).
const EXPIRY_KEYS = ['expiresAt', 'expires', 'until', 'leaseUntil', 'leaseExpiresAt', 'expiry'];

/** A lock commit's state from its message (see readLockSnapshot). */
export function judgeLockMessage(
  message: string,
  now: number,
): { state: LockRefState['state']; message: string; expiresAt: string | undefined } {
  const start = message.indexOf('{');
  let facts: Record<string, unknown> = {};
  if (start >= 0) {
    try {
      facts = JSON.parse(message.slice(start, message.lastIndexOf('}') + 1)) as Record<string, unknown>;
    } catch {
      facts = {};
    }
  }
  const word = [facts.state, facts.status, facts.kind].find((v) => typeof v === 'string') as
    string | undefined;
  const expiresAt = EXPIRY_KEYS.map((k) => facts[k]).find((v): v is string => typeof v === 'string');
  const released =
    facts.released === true ||
    typeof facts.releasedAt === 'string' ||
    (word !== undefined && /^(released|free|unlocked)$/i.test(word)) ||
    (start < 0 && /\breleased\b/i.test(message));
  if (released) return { state: 'released', message, expiresAt };
  if (expiresAt !== undefined && Date.parse(expiresAt) <= now)
    return { state: 'expired', message, expiresAt };
  return { state: 'held', message, expiresAt };
}
