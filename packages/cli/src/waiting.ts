import type { CliContext } from './command.js';

/** After this long without an answer, the CLI says what it waits for. */
export const SILENCE_MS = 2000;
/** How often a non-terminal log gets another "still waiting" line. */
export const REPEAT_MS = 10_000;

export interface SilenceTiming {
  silenceMs?: number;
  repeatMs?: number;
}

/** A running "still waiting" watch: see watchSilence. */
export interface SilenceWatch {
  /**
   * Something happened (a line is about to be printed): clears a drawn line and starts the
   * silence over; `what` names what is awaited from now on.
   */
  touch(what?: string): void;
  /** The work is over: no more lines, a drawn one cleared. */
  stop(): void;
}

/**
 * Says on stderr what the CLI waits for once nothing has happened for 2 s: one line redrawn in
 * place each second on a terminal, else a line every 10 s (CI logs stay short). For work that
 * prints as it goes (a promote's or a publish's steps): each touch() starts the silence over, so
 * only a step that keeps the user waiting is announced.
 */
export function watchSilence(
  ctx: Pick<CliContext, 'stderr' | 'isTTY'>,
  what: string,
  timing: SilenceTiming = {},
): SilenceWatch {
  const silence = timing.silenceMs ?? SILENCE_MS;
  let awaited = what;
  let since = Date.now();
  let drawn = false;
  let first: ReturnType<typeof setTimeout> | undefined;
  let repeat: ReturnType<typeof setInterval> | undefined;
  const say = () => {
    const line = `still waiting for ${awaited} (${Math.round((Date.now() - since) / 1000)}s)`;
    if (ctx.isTTY) {
      ctx.stderr(`\r${line}\x1b[K`);
      drawn = true;
    } else ctx.stderr(`${line}\n`);
  };
  const clear = () => {
    clearTimeout(first);
    if (repeat) clearInterval(repeat);
    repeat = undefined;
    if (drawn) ctx.stderr('\r\x1b[K');
    drawn = false;
  };
  const arm = () => {
    since = Date.now();
    first = setTimeout(() => {
      say();
      repeat = setInterval(say, ctx.isTTY ? 1000 : (timing.repeatMs ?? REPEAT_MS));
      repeat.unref?.();
    }, silence);
    first.unref?.();
  };
  arm();
  return {
    touch(next) {
      if (next !== undefined) awaited = next;
      clear();
      arm();
    },
    stop: clear,
  };
}

/**
 * Awaits `work` and, when it takes longer than 2 s, says so on stderr (see watchSilence). The
 * line is cleared once the answer arrives, so fast runs print nothing extra.
 */
export async function waitingFor<T>(
  ctx: Pick<CliContext, 'stderr' | 'isTTY'>,
  what: string,
  work: Promise<T>,
  timing: SilenceTiming = {},
): Promise<T> {
  const watch = watchSilence(ctx, what, timing);
  try {
    return await work;
  } finally {
    watch.stop();
  }
}
