// The e2e helpers put the CLI's stdout and stderr into every failure they report.
import { describe, expect, it } from 'vitest';
import { expectExit, expectOutput, expectSignal, jsonOf, type CliRun } from './harness.js';

const run: CliRun = {
  args: ['promote', '1.2.3', '--yes'],
  code: 3,
  signal: null,
  stdout: 'gate pr-checks: no checks reported\n',
  stderr: 'promote refused: the gates above are not met\n',
};

function failure(assertion: () => unknown): string {
  try {
    assertion();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the assertion passed');
}

describe('e2e helpers show what the CLI printed when an assertion fails', () => {
  it.each([
    ['expectExit', () => expectExit(run, 0)],
    ['expectSignal', () => expectSignal(run, 'SIGKILL')],
    ['expectOutput', () => expectOutput(run, 'stderr').toBe('')],
    ['jsonOf', () => jsonOf(run)],
  ])('%s', (_name, assertion) => {
    const message = failure(assertion);
    expect(message).toContain('release-cli promote 1.2.3 --yes → exit 3');
    expect(message).toContain('gate pr-checks: no checks reported');
    expect(message).toContain('promote refused: the gates above are not met');
  });

  it('passes quietly when the run is as expected', () => {
    expect(expectExit(run, 3)).toBe(run);
  });
});
