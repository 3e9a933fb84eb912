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
 */
export function redactStream(stream: NodeJS.WriteStream, redact: (text: string) => string): void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text =
      typeof chunk === 'string'
        ? chunk
        : chunk instanceof Uint8Array
          ? Buffer.from(chunk).toString('utf8')
          : chunk;
    return write(typeof text === 'string' ? redact(text) : text, ...rest);
  }) as typeof stream.write;
}
