// Reading a write back: GitHub's refs and contents lag behind the write that changed them, so a
// step that just wrote polls until what it reads says the write landed (or gives up and reports).

/** Waits `ms` (a test world passes its own); setTimeout by default. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const defaultSleep: Sleep = (ms) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * A poller that calls `read` until `ok` holds, at most `attempts` times (0.5 s, 1 s, 1.5 s …
 * apart), and returns the last value read.
 */
export function readBackPoller(options: {
  readonly attempts?: number | undefined;
  readonly sleep?: Sleep | undefined;
  readonly signal?: AbortSignal | undefined;
}) {
  const attempts = Math.max(1, options.attempts ?? 5);
  const sleep = options.sleep ?? defaultSleep;
  return async function readBack<T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    let v = await read();
    for (let i = 1; i < attempts && !ok(v); i++) {
      await sleep(500 * i, options.signal);
      v = await read();
    }
    return v;
  };
}
