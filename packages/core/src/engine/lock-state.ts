// The release lock's states and what they mean, as pure functions: the forge stores a record
// (text) per state, each state written over the one it replaced in one conditional write, and
// core alone decides what a record says (held by whom until when, released) and who may move it.

/** Default lease: short, because a live holder renews it every third of it. */
export const DEFAULT_LOCK_TTL_SECONDS = 90;

/** The longest holder string written or shown (a name, a host, a run id fit easily). */
export const MAX_HOLDER_LENGTH = 100;

export type LockState =
  | {
      readonly status: 'held';
      /** Who holds it, as other runs see it (printable, bounded). */
      readonly holder: string;
      /** One run of that holder: two runs of one user never mistake each other's lease. */
      readonly run: string;
      readonly acquiredAt: string;
      readonly expiresAt: string;
    }
  | {
      readonly status: 'released';
      /** Who released it (the holder, or who forced it). */
      readonly by: string;
      readonly releasedAt: string;
    };

export type HeldState = Extract<LockState, { status: 'held' }>;

/** A lock as read from the forge: the state's record and the version a conditional write names. */
export interface StoredLock {
  /** Opaque to core (on GitHub, the lock commit's SHA). */
  readonly version: string;
  readonly record: string;
}

/** What a lock means now: free to take (absent, released, expired) or held by someone alive. */
export type LockView =
  | { readonly status: 'absent' }
  | { readonly status: 'released'; readonly by: string; readonly releasedAt: string }
  | ({ readonly status: 'held' } & Lease)
  | ({ readonly status: 'expired' } & Lease);

/** Who holds (or held) a lease, and until when. */
export interface Lease {
  readonly holder: string;
  readonly run: string;
  readonly acquiredAt: string;
  readonly expiresAt: string;
}

// ESC-introduced sequences (CSI, OSC and other string controls, two-character escapes), then any
// remaining C0/C1 control, DEL, and the bidi/zero-width characters that reorder or hide text.
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])?/g;
const CSI_8BIT = /\x9b[0-?]*[ -/]*[@-~]/g;
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]/g;

/**
 * A holder string that is safe to print: escape sequences and control characters removed (a
 * holder comes from $USER, a hostname, or a ref someone else wrote), whitespace collapsed, at
 * most MAX_HOLDER_LENGTH characters. Applied when writing and again when reading.
 */
export function printableHolder(raw: string): string {
  const clean = raw
    .replace(ESCAPE_SEQUENCE, '')
    .replace(CSI_8BIT, '')
    .replace(UNPRINTABLE, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (clean === '') return 'unknown';
  const chars = [...clean];
  return chars.length <= MAX_HOLDER_LENGTH ? clean : `${chars.slice(0, MAX_HOLDER_LENGTH - 1).join('')}…`;
}

/** The record of a state (JSON), holder made printable. */
export function encodeLockState(state: LockState): string {
  return JSON.stringify(
    state.status === 'held'
      ? { ...state, holder: printableHolder(state.holder) }
      : { ...state, by: printableHolder(state.by) },
  );
}

const isDate = (v: unknown): v is string => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/**
 * The state a record says, or undefined when it is not a relkit lock record. A record without
 * `status` is a held lock of earlier relkit versions ({holder, acquiredAt, expiresAt}).
 */
export function decodeLockState(record: string): LockState | undefined {
  let v: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(record);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    v = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (v.status === 'released') {
    if (typeof v.by !== 'string' || !isDate(v.releasedAt)) return undefined;
    return { status: 'released', by: printableHolder(v.by), releasedAt: v.releasedAt };
  }
  if (v.status !== undefined && v.status !== 'held') return undefined;
  if (typeof v.holder !== 'string' || !isDate(v.acquiredAt) || !isDate(v.expiresAt)) return undefined;
  return {
    status: 'held',
    holder: printableHolder(v.holder),
    run: typeof v.run === 'string' ? printableHolder(v.run) : '',
    acquiredAt: v.acquiredAt,
    expiresAt: v.expiresAt,
  };
}

/**
 * What a stored lock means at `now`. A record relkit cannot read (someone else's commit on the
 * ref) fails closed: held by an unknown holder that never expires; only `unlock --force` frees it.
 */
export function viewLock(stored: StoredLock | undefined, now: Date): LockView {
  if (!stored) return { status: 'absent' };
  const state = decodeLockState(stored.record);
  if (!state)
    return {
      status: 'held',
      holder: 'unknown (not a relkit lock record)',
      run: '',
      acquiredAt: '',
      expiresAt: '9999-12-31T00:00:00.000Z',
    };
  if (state.status === 'released') return state;
  const { holder, run, acquiredAt, expiresAt } = state;
  const lease = { holder, run, acquiredAt, expiresAt };
  return Date.parse(expiresAt) > now.getTime()
    ? { status: 'held', ...lease }
    : { status: 'expired', ...lease };
}

/** Anyone may take a lock that is absent, released or expired; a live lease is its holder's. */
export function mayAcquire(view: LockView): view is Exclude<LockView, { status: 'held' }> {
  return view.status !== 'held';
}

/** The state a new holder writes: held from `now` for `ttlSeconds`. */
export function heldState(holder: string, run: string, now: Date, ttlSeconds: number): HeldState {
  return {
    status: 'held',
    holder: printableHolder(holder),
    run,
    acquiredAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
  };
}

/** The same lease, extended to `now + ttlSeconds` (a renewal). */
export function renewedState(state: HeldState, now: Date, ttlSeconds: number): HeldState {
  return { ...state, expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString() };
}

/** How often a holder renews: three chances before its lease runs out. */
export function renewalIntervalMs(ttlSeconds: number): number {
  return Math.max(1, Math.floor((ttlSeconds * 1000) / 3));
}

/** A lock TTL given by a person or config: a whole number of seconds, 1 s to one day. */
export function validLockTtl(seconds: number): boolean {
  return Number.isFinite(seconds) && seconds >= 1 && seconds <= 86_400;
}

/**
 * What `unlock` may do: release a lock this holder identity holds, or one that expired;
 * with `force`, any lock (its holder is named). Nothing to do when it is free already.
 */
export type UnlockDecision =
  | { readonly action: 'none'; readonly view: LockView }
  | { readonly action: 'release'; readonly view: LockView; readonly forced: boolean }
  | { readonly action: 'refuse'; readonly view: Extract<LockView, { status: 'held' }> };

export function decideUnlock(view: LockView, holder: string, force: boolean): UnlockDecision {
  if (view.status === 'absent' || view.status === 'released') return { action: 'none', view };
  if (view.status === 'expired' || view.holder === printableHolder(holder))
    return { action: 'release', view, forced: false };
  return force ? { action: 'release', view, forced: true } : { action: 'refuse', view };
}
