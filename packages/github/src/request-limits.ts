// What plugin-throttling and plugin-retry did per request with Bottleneck, without Bottleneck.
// Bottleneck queues every job through several setTimeout(0) hops (its datastore "yields" on
// submit, register and free, then runs on a timer): plugin-throttling sends every request
// through two limiters and plugin-retry makes a new one per request, so each GitHub call waited
// for ~8 turns of the event loop, more on a busy runner, while relkit's CPU was idle (bench:
// promote). These do the same bookkeeping directly, waiting only when there is a reason to.
import type { Octokit } from '@octokit/rest';
import { GitHubError } from './errors.js';

type Job = (...args: unknown[]) => unknown;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Splits Bottleneck's `schedule([options], fn, ...args)`. */
function jobOf(args: unknown[]): { fn: Job; rest: unknown[] } {
  const i = args.findIndex((a) => typeof a === 'function');
  return { fn: args[i] as Job, rest: args.slice(i + 1) };
}

/**
 * A Bottleneck group as plugin-throttling uses one (`group.key(id).schedule(...)`): at most
 * `maxConcurrent` jobs at once, starts at least `spacingMs` apart. One limiter for every key:
 * each relkit client has its own group.
 */
export function limiterGroup(maxConcurrent: number, spacingMs = 0): { key(): unknown } {
  let next = 0;
  let running = 0;
  const waiting: (() => void)[] = [];
  const limiter = {
    schedule: async (...args: unknown[]) => {
      const { fn, rest } = jobOf(args);
      if (running >= maxConcurrent) await new Promise<void>((r) => waiting.push(r));
      running++;
      try {
        if (spacingMs > 0) {
          const start = Math.max(Date.now(), next);
          next = start + spacingMs;
          if (start > Date.now()) await sleep(start - Date.now());
        }
        return await fn(...rest);
      } finally {
        running--;
        waiting.shift()?.();
      }
    },
  };
  return { key: () => limiter };
}

/**
 * The retry limiter plugin-throttling schedules every request through: runs the job; on a
 * failure asks the 'failed' listeners (plugin-throttling's, which decide on rate limits), and
 * when one answers a number of ms, waits that long and runs the job again.
 */
export function retryLimiter(): unknown {
  const failed: ((error: unknown, info: { args: unknown[]; retryCount: number }) => unknown)[] = [];
  const self = {
    on(event: string, listener: (typeof failed)[number]) {
      if (event === 'failed') failed.push(listener);
      return self;
    },
    async schedule(...all: unknown[]) {
      const { fn, rest } = jobOf(all);
      for (let retryCount = 0; ; retryCount++) {
        try {
          return await fn(...rest);
        } catch (error) {
          let wait: unknown;
          for (const listener of failed) {
            const answer = await listener(error, { args: rest, retryCount });
            if (answer !== undefined && answer !== null) wait = answer;
          }
          if (typeof wait !== 'number') throw error;
          await sleep(wait);
        }
      }
    },
  };
  return self;
}

interface RetryState {
  readonly retries: number;
  readonly retryAfterBaseValue: number;
}

/** Statuses plugin-retry never retries: the request itself is wrong, waiting will not help. */
const DO_NOT_RETRY = [400, 401, 403, 404, 410, 422, 451];

/**
 * plugin-retry's behaviour as one request hook: a request that failed with a status ≥ 400 not in
 * DO_NOT_RETRY (a 5xx; a failed connection is a 500 without a response) or a GraphQL "Something
 * went wrong while executing your query" is sent again after (n+1)² × retryAfterBaseValue ms, at
 * most `request.retries` (default `state.retries`) times; `request.retryCount` says which try
 * this is.
 */
export function retryRequests(octokit: Octokit, state: RetryState): void {
  octokit.hook.wrap('request', async (request, options) => {
    for (let retryCount = 0; ; retryCount++) {
      try {
        const response = await request(options);
        const errors = (response.data as { errors?: { message?: string }[] } | undefined)?.errors;
        if (
          errors?.length &&
          /Something went wrong while executing your query/.test(errors[0]?.message ?? '')
        )
          throw Object.assign(new Error(errors[0]!.message), {
            name: 'HttpError',
            status: 500,
            request: options,
            response,
          });
        return response;
      } catch (e) {
        const error = e as { status?: number; request?: { request?: unknown } };
        const status = error.status ?? 0;
        // Octokit reports whatever its fetch threw as a 500 without a response; a GitHubError there is
        // relkit's own fetch refusing the answer (lean-fetch.ts: too large), which a retry gets again.
        const refused = (e as { cause?: unknown }).cause instanceof GitHubError;
        const retryable =
          error.request !== undefined && status >= 400 && !DO_NOT_RETRY.includes(status) && !refused;
        const maxRetries = options.request?.retries ?? state.retries;
        if (!retryable || retryCount >= maxRetries) throw e;
        await sleep((retryCount + 1) ** 2 * state.retryAfterBaseValue);
        options.request = { ...options.request, retryCount: retryCount + 1 };
      }
    }
  });
}
