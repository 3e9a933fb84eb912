import { UsageError, stringOption, type CliContext, type ParsedArgs } from './command.js';

/**
 * --wait SECONDS (default 120): how long promote and publish wait for what settles by itself
 * (core's awaitableGates: PR checks running, mergeability computing); 0 refuses at once.
 */
export function waitSeconds(args: ParsedArgs): number {
  const raw = stringOption(args, 'wait');
  const n = Number(raw ?? '120');
  if (!Number.isFinite(n) || n < 0) throw new UsageError('--wait takes a number of seconds >= 0');
  return n;
}

/**
 * One poll of the waiting loop: says what is awaited on stderr, then sleeps with backoff (2 s,
 * doubling, at most 15 s) within the deadline. False when the deadline (or a signal) ends it.
 */
export async function awaitSettling(
  ctx: CliContext,
  awaited: readonly { title: string; reason: string }[],
  started: number,
  waitMs: number,
  attempt: number,
): Promise<boolean> {
  const left = started + waitMs - Date.now();
  if (left <= 0 || ctx.signal?.aborted) return false;
  const delay = Math.min(left, 2000 * 2 ** Math.min(attempt, 3), 15_000);
  const elapsed = Math.round((Date.now() - started) / 1000);
  ctx.stderr(
    `waiting (${elapsed}s of ${Math.round(waitMs / 1000)}s) for ${awaited.map((g) => `${g.title}: ${g.reason}`).join('; ')}\n`,
  );
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, delay);
    ctx.signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
  return !ctx.signal?.aborted;
}
