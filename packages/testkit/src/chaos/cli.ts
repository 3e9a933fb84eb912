import { spawn, type ChildProcess } from 'node:child_process';

/** One release-cli process as the chaos harness saw it end. */
export interface CliOutcome {
  readonly args: readonly string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The harness killed it (SIGKILL) on purpose. */
  readonly killed: boolean;
  /** It outlived the per-process timeout and was killed for that. */
  readonly timedOut: boolean;
  /** How the harness killed it, e.g. "request 12 after-apply (PUT /v2/acme/app/manifests/latest)". */
  readonly killedAt: string | undefined;
}

export interface CliProcess {
  readonly child: ChildProcess;
  /** SIGKILLs the process (once) and resolves when it has exited. */
  kill(how: string): Promise<void>;
  readonly done: Promise<CliOutcome>;
}

/** Starts `node <bin> …args` with exactly this environment (no colour) in `cwd`. */
export function startCli(
  bin: string,
  args: readonly string[],
  options: {
    env: Record<string, string | undefined>;
    cwd: string;
    timeoutMs: number;
    nodeArgs?: readonly string[];
  },
): CliProcess {
  const env: Record<string, string | undefined> = { ...options.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let killed = false;
  let killedAt: string | undefined;
  let timedOut = false;
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (e) => {
      stderr += `\n[harness] spawn failed: ${e.message}`;
      resolve({ code: null, signal: null });
    });
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs);
  const done = exited.then(({ code, signal }) => {
    clearTimeout(timer);
    return { args, code, signal, stdout, stderr, killed, timedOut, killedAt };
  });
  return {
    child,
    done,
    async kill(how) {
      if (!killed && child.exitCode === null && child.signalCode === null) {
        killed = true;
        killedAt = how;
        child.kill('SIGKILL');
      }
      await exited;
    },
  };
}

/** The command line and everything the process printed: what a failure report must show. */
export function describeOutcome(o: CliOutcome): string {
  const how = o.timedOut
    ? 'timed out (SIGKILL)'
    : o.killed
      ? `killed by the harness at ${o.killedAt ?? '?'}`
      : o.signal
        ? `signal ${o.signal}`
        : `exit ${o.code}`;
  return [
    `release-cli ${o.args.join(' ')} → ${how}`,
    `--- stdout ---\n${o.stdout.trimEnd() || '(empty)'}`,
    `--- stderr ---\n${o.stderr.trimEnd() || '(empty)'}`,
  ].join('\n');
}
