import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ReleaseWorld } from '@relkit/testkit';

const BIN = fileURLToPath(new URL('../../bin/release-cli.js', import.meta.url));

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built release-cli as a real process against a world (its config and environment). */
export function runCli(
  world: ReleaseWorld,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  // Plain output: NO_COLOR, and no FORCE_COLOR from a parent (Nx sets it; Node warns about both).
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    ...world.env,
    NO_COLOR: '1',
    ...env,
  };
  delete childEnv.FORCE_COLOR;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args, '--config', world.configPath], {
      cwd: world.workspace,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
