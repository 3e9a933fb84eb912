// The subpath keeps start-up light: the core barrel would load zod for every command.
import { redactor, secretsFromEnv } from '@relkit/release-core/redact';

/** Everything release-cli prints goes through this (core's rule: tokens never appear in output). */
export function makeRedactor(env: Readonly<Record<string, string | undefined>>): (text: string) => string {
  const secrets = secretsFromEnv(env);
  return redactor(() => secrets);
}

/**
 * Routes a process stream through the redactor. Node's debug logs (NODE_DEBUG=http,net,…),
 * the `debug` package (DEBUG=*) and Node's warnings write to process.stderr directly, past the
 * redacting context, and may print an Authorization header or a URL with credentials.
 *
 * A secret written in two pieces (`write('Bearer ab')`, `write('cdef…\n')`) matches no form in
 * either piece: what follows the last newline of a write is held back and redacted with the
 * next write, or flushed on the next turn of the event loop (a prompt or a progress line
 * without a newline still shows) and at exit.
 */
export function redactStream(stream: NodeJS.WriteStream, redact: (text: string) => string): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let pending = '';
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (!pending) return;
    const text = pending;
    pending = '';
    write(redact(text));
  };
  process.once('exit', flush);
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk).toString('utf8')
          : chunk;
    if (typeof text !== 'string') return write(text, ...rest);
    const all = pending + text;
    const cut = all.lastIndexOf('\n') + 1;
    pending = all.slice(cut);
    if (pending && !scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
    // The callback (and encoding) still reach the stream, with what is complete so far.
    return write(redact(all.slice(0, cut)), ...rest);
  }) as typeof stream.write;
}
