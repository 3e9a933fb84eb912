// A CLI process (or any `node` entry) with a fresh HOME and no Docker credentials, so what it
// prints depends on the arguments and `env` only. Shared by the `image tag` start-path e2e tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface IsolatedRun {
  readonly code: number | null;
  /** The signal that ended the process, if one did. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runIsolated(
  entry: string,
  args: readonly string[],
  env: Record<string, string> = {},
  node: readonly string[] = [],
  /** Called with the process once it is spawned (to signal it). */
  started?: (child: ChildProcess) => void,
): Promise<IsolatedRun> {
  const home = mkdtempSync(join(tmpdir(), 'relkit-isolated-home-'));
  const child = spawn(process.execPath, [...node, entry, ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      DOCKER_CONFIG: join(home, 'no-docker'),
      NO_COLOR: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started?.(child);
  return outcomeOf(child).finally(() => rmSync(home, { recursive: true, force: true }));
}

/** What a spawned process (stdout and stderr piped) printed, and how it ended. */
export function outcomeOf(child: ChildProcess): Promise<IsolatedRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** A run's exit and output, as an assertion message. */
export const describeRun = (r: IsolatedRun) =>
  `exit ${r.code ?? r.signal}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
