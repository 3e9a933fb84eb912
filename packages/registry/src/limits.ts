import { RegistryError } from './errors.js';
import type { HttpAnswer } from './http.js';

/** A counting semaphore: at most `limit` exchanges per registry host at once. */
export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      // Hand the slot straight to the next waiter, so `active` never dips and over-admits.
      if (next) next();
      else this.active--;
    }
  }
}

/** Waits ms, or rejects with ABORTED as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortedError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortedError(signal: AbortSignal): RegistryError {
  const reason: unknown = signal.reason;
  // A Budget (deadline.ts) aborts with its own TIMEOUT error, which names the server.
  if (reason instanceof RegistryError && reason.code === 'TIMEOUT') return reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return new RegistryError('ABORTED', `the registry operation was cancelled (${why})`, { cause: reason });
}

/** Parses Retry-After (delta-seconds or an HTTP date) into ms; undefined when absent or garbage. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** "Full jitter" exponential backoff: a random wait in [0, min(cap, base·2^attempt)]. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  return Math.round(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * Reads a response body into memory, refusing more than maxBytes: the declared Content-Length
 * is checked first, and the bytes are counted while streaming, since a hostile registry may lie
 * or send no length at all. Over the limit the connection is dropped, not drained.
 */
export async function readBodyLimited(res: HttpAnswer, maxBytes: number, what: string): Promise<Uint8Array> {
  const declared = res.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    res.body.destroy();
    throw tooLarge(what, Number(declared), maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > maxBytes) {
      res.body.destroy();
      throw tooLarge(what, total, maxBytes, true);
    }
    chunks.push(chunk);
  }
  // A fresh array, not a view into the socket's read buffer: callers may keep the bytes.
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function tooLarge(what: string, size: number, max: number, streamed = false): RegistryError {
  return new RegistryError(
    'TOO_LARGE',
    `${what} is ${streamed ? 'more than' : ''}${streamed ? ' ' : ''}${size} bytes, above the limit of ${max} bytes; ` +
      'the registry may be misbehaving. Raise the limit only if you expect content this large.',
  );
}

/** Drains and discards a body so the connection can be reused (keep-alive). */
export async function discard(res: HttpAnswer): Promise<void> {
  try {
    // Reading a small body to the end keeps the connection reusable; a big one is cut off.
    await readBodyLimited(res, 64 * 1024, 'an ignored response body');
  } catch {
    // nothing to do: the connection is closed either way
  }
}
