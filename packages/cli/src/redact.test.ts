import { describe, expect, it } from 'vitest';
import { makeRedactor, redactStream } from './redact.js';

/** A stand-in for process.stderr that records what reaches the terminal. */
function fakeStream(): { stream: NodeJS.WriteStream; written: () => string } {
  let out = '';
  const stream = {
    write: (chunk: unknown, ...rest: unknown[]) => {
      out += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, written: () => out };
}

const nextTurn = () => new Promise((r) => setImmediate(r));

describe('redactStream', () => {
  const secret = 'reg1stry-Passw0rd-value';
  const redact = makeRedactor({ RELKIT_REGISTRY_PASSWORD: secret });

  it('masks a secret written in two pieces (a log line written in parts)', async () => {
    const { stream, written } = fakeStream();
    redactStream(stream, redact);
    stream.write(`HTTP 42: sending password ${secret.slice(0, 9)}`);
    stream.write(Buffer.from(`${secret.slice(9)} to the registry\n`));
    await nextTurn();
    expect(written()).toBe('HTTP 42: sending password *** to the registry\n');
  });

  it('still shows a line without a newline (a prompt, a progress line) on the next turn, redacted', async () => {
    const { stream, written } = fakeStream();
    redactStream(stream, redact);
    let called = false;
    stream.write(`\rwaiting for ${secret}`, () => (called = true));
    expect(called).toBe(true);
    await nextTurn();
    expect(written()).toBe('\rwaiting for ***');
  });

  it('masks a secret set with a trailing newline, as the adapters send it trimmed', async () => {
    const { stream, written } = fakeStream();
    redactStream(stream, makeRedactor({ GH_TOKEN: 'abcdef0123456789xyz\n' }));
    stream.write('Authorization was abcdef0123456789xyz.\n');
    expect(written()).toBe('Authorization was ***.\n');
  });
});
