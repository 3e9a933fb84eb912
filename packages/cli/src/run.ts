// Process entry: binds main() to the real process. Kept apart so main() stays testable in-process.
import { main } from './main.js';
import { makeRedactor, redactStream } from './redact.js';

// Whatever reaches stderr without the context (debug logs, warnings) is redacted too.
redactStream(process.stderr, makeRedactor(process.env));

const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted')));
const code = await main(process.argv.slice(2), {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
  isTTY: Boolean(process.stdout.isTTY),
  signal: controller.signal,
  prompt: async (question) => {
    // Loaded only when a question is asked: readline is not worth its start-up cost otherwise.
    const { createInterface } = await import('node:readline/promises');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await rl.question(question);
    } finally {
      rl.close();
    }
  },
});
process.exitCode = code;
