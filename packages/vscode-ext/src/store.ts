import { withRollbackTargets, type ReleaseService, type ReleaseStatus } from '@relkit/release-core';
import { classifyError, errorCode, errorMessage } from './errors.js';

/** One version as the store holds it: its status, or why it could not be read. */
export type ReleaseEntry =
  | { readonly version: string; readonly status: ReleaseStatus }
  | { readonly version: string; readonly error: { readonly code: string; readonly message: string } };

/** Everything the Releases view can show, as one immutable value. */
export type StoreSnapshot =
  | { readonly kind: 'loading' }
  | { readonly kind: 'no-workspace' }
  | { readonly kind: 'no-config'; readonly configPath: string }
  | { readonly kind: 'invalid-config'; readonly configPath: string; readonly message: string }
  | { readonly kind: 'sign-in'; readonly message: string; readonly repository?: string | undefined }
  | {
      readonly kind: 'offline' | 'error';
      readonly code?: string | undefined;
      readonly message: string;
      readonly retryInSeconds?: number | undefined;
    }
  | {
      readonly kind: 'ready';
      readonly repository: string;
      readonly releases: readonly ReleaseEntry[];
      readonly refreshedAt: number;
      /** A later refresh failed; the releases are the last good data. */
      readonly lastError?: { readonly code?: string | undefined; readonly message: string } | undefined;
    };

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface StoreOptions {
  /** Creates the release service (the real one is connectRelease); called again after resetConnection(). */
  readonly connect: () => Promise<ReleaseService>;
  readonly configPath: () => string;
  readonly limit: () => number;
  readonly pollIntervalMs: () => number;
  readonly timers?: Timers;
  readonly now?: () => number;
  /** First retry after an error; doubles per consecutive failure up to maxBackoffMs. */
  readonly retryBaseMs?: number;
  readonly maxBackoffMs?: number;
  /** A window focus refreshes only when the data is older than this. */
  readonly focusRefreshAfterMs?: number;
  /** How many versions are observed at once (each is several registry and GitHub calls). */
  readonly concurrency?: number;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** The delay before the next poll: the interval when healthy, exponential backoff after failures. */
export function nextDelayMs(
  failures: number,
  pollIntervalMs: number,
  retryBaseMs = 5_000,
  maxBackoffMs = 600_000,
): number {
  if (failures <= 0) return pollIntervalMs;
  return Math.min(maxBackoffMs, Math.max(retryBaseMs, retryBaseMs * 2 ** (failures - 1)));
}

/** Runs fn over items with at most `limit` in flight, keeping the order of the results. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

type Listener = (s: StoreSnapshot) => void;

/**
 * Holds the release statuses the view shows. It polls through the ReleaseService (which observes
 * the registry and GitHub each time; relkit keeps no state), backs off on errors, refreshes on
 * window focus and after commands, and never blocks the caller: refresh() returns a promise the
 * UI need not await, and `snapshot` is always readable at once.
 */
export class ReleaseStore {
  private state: StoreSnapshot = { kind: 'loading' };
  private readonly listeners = new Set<Listener>();
  private service: Promise<ReleaseService> | undefined;
  private inflight: { controller: AbortController; done: Promise<void> } | undefined;
  private timer: unknown;
  private failures = 0;
  private lastRefreshAt = 0;
  private disposed = false;
  private readonly timers: Timers;
  private readonly now: () => number;

  constructor(private readonly opts: StoreOptions) {
    this.timers = opts.timers ?? realTimers;
    this.now = opts.now ?? Date.now;
  }

  get snapshot(): StoreSnapshot {
    return this.state;
  }

  /** Consecutive failed refreshes (drives the backoff). */
  get failureCount(): number {
    return this.failures;
  }

  onDidChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The service, connected once and shared by the view and the commands. */
  getService(): Promise<ReleaseService> {
    if (!this.service) {
      const p = this.opts.connect();
      this.service = p;
      // a failed connect is retried on the next call (e.g. after signing in or fixing the config)
      p.catch(() => {
        if (this.service === p) this.service = undefined;
      });
    }
    return this.service;
  }

  /** Forget the service: the config, the settings or the GitHub session changed. */
  resetConnection(): void {
    this.service = undefined;
  }

  /**
   * Re-reads every shown version. A refresh already running is aborted and replaced, so the
   * newest request wins (e.g. the refresh after a promote beats a poll that started before it).
   */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    this.inflight?.controller.abort();
    const controller = new AbortController();
    const done = this.load(controller.signal).finally(() => {
      if (this.inflight?.controller === controller) this.inflight = undefined;
    });
    this.inflight = { controller, done };
    return done;
  }

  /** Starts polling (the first refresh runs now). */
  start(): void {
    void this.refresh();
  }

  /** Window focus: refresh when the data is older than focusRefreshAfterMs and nothing is in flight. */
  onWindowFocus(): void {
    if (this.inflight) return;
    if (this.now() - this.lastRefreshAt >= (this.opts.focusRefreshAfterMs ?? 10_000)) void this.refresh();
  }

  dispose(): void {
    this.disposed = true;
    this.inflight?.controller.abort();
    this.timers.clearTimeout(this.timer);
    this.listeners.clear();
  }

  private set(s: StoreSnapshot): void {
    this.state = s;
    for (const l of [...this.listeners]) l(s);
  }

  private schedule(): void {
    this.timers.clearTimeout(this.timer);
    if (this.disposed) return;
    const delay = nextDelayMs(
      this.failures,
      this.opts.pollIntervalMs(),
      this.opts.retryBaseMs,
      this.opts.maxBackoffMs,
    );
    this.timer = this.timers.setTimeout(() => {
      if (!this.inflight) void this.refresh();
      else this.schedule();
    }, delay);
  }

  private async load(signal: AbortSignal): Promise<void> {
    try {
      const service = await this.getService();
      if (signal.aborted) return;
      const versions = await service.listVersions({ limit: this.opts.limit(), signal });
      const releases = await mapLimit(versions, this.opts.concurrency ?? 4, async (version) => {
        try {
          return { version, status: await service.status(version, signal) } as ReleaseEntry;
        } catch (e) {
          if (signal.aborted) throw e;
          return { version, error: { code: errorCode(e) ?? 'ERROR', message: errorMessage(e) } };
        }
      });
      if (signal.aborted || this.disposed) return;
      // Rollback targets are core's to decide, over the releases observed together.
      const statuses = withRollbackTargets(releases.flatMap((e) => ('status' in e ? [e.status] : [])));
      const completed = releases.map((e) =>
        'status' in e ? { version: e.version, status: statuses.find((s) => s.version === e.version)! } : e,
      );
      this.failures = 0;
      this.lastRefreshAt = this.now();
      this.set({
        kind: 'ready',
        repository: service.config.repository,
        releases: completed,
        refreshedAt: this.lastRefreshAt,
      });
    } catch (e) {
      if (signal.aborted || this.disposed) return;
      this.failures++;
      this.lastRefreshAt = this.now();
      this.set(this.failed(e));
    } finally {
      if (!signal.aborted) this.schedule();
    }
  }

  private failed(e: unknown): StoreSnapshot {
    const kind = classifyError(e);
    const message = errorMessage(e);
    const code = errorCode(e);
    switch (kind) {
      case 'no-workspace':
        return { kind };
      case 'no-config':
        return { kind, configPath: this.opts.configPath() };
      case 'invalid-config':
        return { kind, configPath: this.opts.configPath(), message };
      case 'sign-in':
        return { kind, message };
      case 'offline':
      case 'error': {
        // keep showing what we had: a blip must not empty the view
        if (this.state.kind === 'ready') {
          return { ...this.state, lastError: { code, message } };
        }
        const retry = nextDelayMs(
          this.failures,
          this.opts.pollIntervalMs(),
          this.opts.retryBaseMs,
          this.opts.maxBackoffMs,
        );
        return { kind, code, message, retryInSeconds: Math.round(retry / 1000) };
      }
    }
  }
}
