import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { ReleaseWorld } from '@relkit/testkit';
import { outcomeOf } from './isolated-run.js';

const BIN = fileURLToPath(new URL('../../bin/release-cli.js', import.meta.url));
/** Test-only preload that SIGKILLs the CLI right after a step's write (see crash-after.mjs). */
const CRASH_AFTER = fileURLToPath(new URL('./crash-after.mjs', import.meta.url));

export interface CliRun {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Kill the process with SIGKILL right after this step's write (the crash-resume tests). */
  readonly crashAfter?: string;
}

/** Runs the built release-cli as a real process with exactly this environment and directory. */
export function runRelease(
  args: readonly string[],
  options: { readonly env: Record<string, string | undefined>; readonly cwd: string } & RunOptions,
): Promise<CliRun> {
  // No FORCE_COLOR from a parent (Nx sets it; Node warns about it next to NO_COLOR).
  const env: Record<string, string | undefined> = { ...options.env };
  delete env.FORCE_COLOR;
  const node: string[] = [];
  if (options.crashAfter !== undefined) {
    node.push('--import', CRASH_AFTER);
    env.RELKIT_E2E_CRASH_AFTER = options.crashAfter;
  }
  const child = spawn(process.execPath, [...node, BIN, ...args], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return outcomeOf(child).then((outcome) => ({ args, ...outcome }));
}

/** Runs the built release-cli as a real process against a world (its config and environment). */
export function runCli(
  world: ReleaseWorld,
  args: readonly string[],
  env: Record<string, string> = {},
  options: RunOptions = {},
): Promise<CliRun> {
  return runRelease([...args, '--config', world.configPath], {
    ...options,
    cwd: world.workspace,
    // Plain output: NO_COLOR.
    env: { ...process.env, ...world.env, NO_COLOR: '1', ...env },
  });
}

/** The command line and everything the CLI printed: what a failed assertion must show. */
export function describeRun(run: CliRun): string {
  const how = run.signal ? `signal ${run.signal}` : `exit ${run.code}`;
  return [
    `release-cli ${run.args.join(' ')} → ${how}`,
    `--- stdout ---\n${run.stdout || '(empty)'}`,
    `--- stderr ---\n${run.stderr || '(empty)'}`,
  ].join('\n');
}

/** Asserts the exit code; on failure the message carries the CLI's stdout and stderr. */
export function expectExit(run: CliRun, code: number): CliRun {
  expect(run.code, describeRun(run)).toBe(code);
  return run;
}

/** Asserts the process died by a signal (a crash test); on failure shows the CLI's output. */
export function expectSignal(run: CliRun, signal: NodeJS.Signals): CliRun {
  expect(run.signal, describeRun(run)).toBe(signal);
  return run;
}

/** Asserts a stream's content; on failure the message carries the CLI's stdout and stderr. */
export function expectOutput(run: CliRun, stream: 'stdout' | 'stderr') {
  return expect(run[stream], describeRun(run));
}

/** Parses the --json output; a run that printed no JSON fails with its stdout and stderr. */
export function jsonOf<T>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch (e) {
    throw new Error(`stdout is not JSON (${(e as Error).message})\n${describeRun(run)}`, { cause: e });
  }
}
