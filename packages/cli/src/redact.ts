// The subpath keeps start-up light: the core barrel would load zod for every command.
import { redactor, secretsFromEnv } from '@relkit/release-core/redact';

/** Everything release-cli prints goes through this (core's rule: tokens never appear in output). */
export function makeRedactor(env: Readonly<Record<string, string | undefined>>): (text: string) => string {
  const secrets = secretsFromEnv(env);
  return redactor(() => secrets);
}
