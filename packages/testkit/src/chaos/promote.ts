import { startCli, type CliOutcome } from './cli.js';
import type { ChaosWorld } from './world.js';

/** How the harness runs promote against a chaos world. */
export interface PromoteSettings {
  /** The release-cli bin (packages/cli/bin/release-cli.js). */
  readonly bin: string;
  /** The lock's TTL: a killed holder blocks re-runs this long. */
  readonly lockTtlSeconds: number;
  /** Extra promote arguments, e.g. ['--lock-ttl', '3'] when the CLI has that option. */
  readonly extraArgs: readonly string[];
  /** Per process: a hang is killed and reported after this long (generous: loaded 2-core CI). */
  readonly processTimeoutMs: number;
}

/** Starts `release-cli promote X.Y.Z --yes` in the world's workspace, through its proxies. */
export function startPromote(
  cw: ChaosWorld,
  settings: PromoteSettings,
  options: { nodeArgs?: readonly string[]; env?: Record<string, string> } = {},
) {
  const { world } = cw;
  return startCli(
    settings.bin,
    ['promote', world.version, '--yes', '--config', world.configPath, ...settings.extraArgs],
    {
      cwd: world.workspace,
      env: {
        ...process.env,
        ...cw.env,
        RELKIT_LOCK_TTL_SECONDS: String(settings.lockTtlSeconds),
        ...options.env,
      },
      timeoutMs: settings.processTimeoutMs,
      ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
    },
  );
}

/**
 * The lock options this CLI understands: `--lock-ttl SECONDS` when its help lists it (the
 * compare-and-swap lock), else only RELKIT_LOCK_TTL_SECONDS (read by both).
 */
export async function lockTtlArgs(bin: string, seconds: number): Promise<string[]> {
  const help: CliOutcome = await startCli(bin, ['promote', '--help'], {
    cwd: process.cwd(),
    env: { ...process.env },
    timeoutMs: 60_000,
  }).done;
  return /--lock-ttl\b/.test(help.stdout + help.stderr) ? ['--lock-ttl', String(seconds)] : [];
}

/** Did this promote do nothing because the release was already promoted? */
export const foundNothingToDo = (o: CliOutcome) => o.code === 0 && /nothing to do/i.test(o.stdout);

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
