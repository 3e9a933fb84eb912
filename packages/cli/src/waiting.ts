import type { CliContext } from './command.js';

/** After this long without an answer, the CLI says what it waits for. */
export const SILENCE_MS = 2000;
/** How often a non-terminal log gets another "still waiting" line. */
export const REPEAT_MS = 10_000;

/**
 * Awaits `work` and, when it takes longer than 2 s, says so on stderr: one line redrawn in place
 * each second on a terminal, else a line every 10 s (CI logs stay short). The line is cleared
 * once the answer arrives, so fast runs print nothing extra.
 */
export async function waitingFor<T>(
  ctx: Pick<CliContext, 'stderr' | 'isTTY'>,
  what: string,
  work: Promise<T>,
  timing: { silenceMs?: number; repeatMs?: number } = {},
): Promise<T> {
  const silence = timing.silenceMs ?? SILENCE_MS;
  const started = Date.now();
  let drawn = false;
  const say = () => {
    const line = `still waiting for ${what} (${Math.round((Date.now() - started) / 1000)}s)`;
    if (ctx.isTTY) {
      ctx.stderr(`\r${line}\x1b[K`);
      drawn = true;
    } else ctx.stderr(`${line}\n`);
  };
  let repeat: ReturnType<typeof setInterval> | undefined;
  const first = setTimeout(() => {
    say();
    repeat = setInterval(say, ctx.isTTY ? 1000 : (timing.repeatMs ?? REPEAT_MS));
    repeat.unref?.();
  }, silence);
  first.unref?.();
  try {
    return await work;
  } finally {
    clearTimeout(first);
    if (repeat) clearInterval(repeat);
    if (drawn) ctx.stderr('\r\x1b[K');
  }
}
