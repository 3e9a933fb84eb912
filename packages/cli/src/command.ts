import type { ParseArgsConfig } from 'node:util';
import type { CleanupService, PrepareService, PublishService, ReleaseService } from '@relkit/release-core';
import type { ConnectOptions } from '@relkit/connect';
import type { CommandReport } from './report.js';

// Built-ins on the start-up path come through getBuiltinModule: an `import` of node:util builds
// its ESM facade, which evaluates every lazy export (~3 ms of every run).
const { parseArgs } = process.getBuiltinModule('node:util');

/** Exit codes of release-cli; documented in the README and stable for scripts. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  gateNotMet: 3,
  lockHeld: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** What a command may touch of the outside world: injected so tests run commands in-process. */
export interface CliContext {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** True when stdout is a terminal: progress can redraw and prompts can be asked. */
  readonly isTTY: boolean;
  readonly signal?: AbortSignal;
  /** Asks a question on the terminal (only called when isTTY); returns the answer line. */
  readonly prompt?: (question: string) => Promise<string>;
  /** Builds the release service; tests inject one, the default wires the real adapters. */
  readonly connect?: (options: ConnectOptions) => Promise<ReleaseService>;
  /** Receives the typed result of a reporting command (the GitHub Action builds its outputs from it). */
  readonly onReport?: (report: CommandReport) => void;
  /** Builds the publish service (publish, verify-publish); tests inject one. */
  readonly connectPublish?: (options: ConnectOptions) => Promise<PublishService>;
  /** Builds the RC clean-up service (cleanup); tests inject one. */
  readonly connectCleanup?: (options: ConnectOptions) => Promise<CleanupService>;
  /** Builds the prepare service (gitflow prepare); tests inject one. */
  readonly connectPrepare?: (options: ConnectOptions) => Promise<PrepareService>;
}

/** A leaf command, e.g. `image tag` or `changelog finalize`. */
export interface Command {
  /** The words after `release-cli`, e.g. ['image', 'tag']. */
  readonly path: readonly string[];
  readonly summary: string;
  /** One usage line without the program name, e.g. 'image tag <ref> <new-tag> [--json]'. */
  readonly usage: string;
  /** Longer help: options and examples. */
  readonly help?: string;
  readonly options?: ParseArgsConfig['options'];
  /** How many positional arguments the command takes: [min, max]. */
  readonly positionals?: readonly [number, number];
  run(args: ParsedArgs, ctx: CliContext): Promise<ExitCode>;
}

export interface ParsedArgs {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
}

/** Wrong words on the command line: exit code 2 and the command's usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseCommandArgs(cmd: Command, argv: readonly string[]): ParsedArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...cmd.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError(parseErrorMessage(e as Error & { code?: string }));
  }
  const [min, max] = cmd.positionals ?? [0, 0];
  const n = parsed.positionals.length;
  if (!parsed.values.help && (n < min || n > max)) {
    // The usage line follows the error once (main prints it), so the message does not repeat it.
    const wanted = cmd.usage.match(/<[^>]+>/g) ?? [];
    throw new UsageError(
      n < min
        ? `missing argument${wanted[n] ? ` ${wanted[n]}` : ''}`
        : `too many arguments: ${parsed.positionals.slice(max).join(' ')}`,
    );
  }
  return parsed;
}

/** Node's parseArgs errors, said the way the rest of release-cli says things. */
function parseErrorMessage(e: Error & { code?: string }): string {
  const option = /'(-{1,2}[^' ]+)/.exec(e.message)?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option ${option}`;
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /argument missing/.test(e.message)
      ? `option ${option} needs a value`
      : `option ${option} takes no value`;
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return 'too many arguments';
  return e.message;
}

/** What the common options mean, for --help of commands whose help text does not say. */
export const OPTION_HELP: Readonly<Record<string, string>> = {
  config: 'path of release.config.json (default: found upwards from the current directory)',
  json: 'machine-readable output',
  'dry-run': 'show the gates and the plan; change nothing',
  yes: 'do not ask for confirmation (required when not on a terminal)',
  to: 'the version latest goes back to',
  timeout: 'seconds each network operation may take, retries included (default 60; env RELKIT_TIMEOUT)',
};

/** The deadline when neither --timeout nor RELKIT_TIMEOUT says: connect's DEFAULT_TIMEOUT_SECONDS. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

/**
 * `--timeout SECONDS`, taken by every command that touches the network: the deadline of each
 * network operation (a request with its retries, token exchange and waits). A registry or GitHub
 * API that never answers fails within it, naming the host.
 */
export const timeoutOption = { timeout: { type: 'string' } } as const;

/** The deadline in ms: --timeout, else RELKIT_TIMEOUT, else 60 s; anything but a positive number is a usage error. */
export function timeoutMs(args: ParsedArgs, env: CliContext['env']): number {
  const flag = stringOption(args, 'timeout');
  const raw = flag ?? env.RELKIT_TIMEOUT?.trim();
  if (raw === undefined || raw === '') return DEFAULT_TIMEOUT_SECONDS * 1000;
  const s = Number(raw);
  if (!Number.isFinite(s) || s <= 0)
    throw new UsageError(
      `${flag !== undefined ? '--timeout' : 'RELKIT_TIMEOUT'} takes seconds (a positive number), not "${raw}"`,
    );
  return Math.round(s * 1000);
}

/** What every command hands the composition root: where it runs, its config, env and deadline. */
export function connectOptions(args: ParsedArgs, ctx: CliContext): ConnectOptions {
  return {
    cwd: ctx.cwd,
    configPath: stringOption(args, 'config'),
    env: ctx.env,
    timeoutMs: timeoutMs(args, ctx.env),
  };
}

/** `-c, --config F`: the path of release.config.json, taken by every command that reads it. */
export const configOption = { config: { type: 'string', short: 'c' } } as const;

/** Reads a string option, with a clear usage error when it is missing and required. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireOption(args: ParsedArgs, name: string): string {
  const v = stringOption(args, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

export function writeJson(ctx: CliContext, value: unknown): void {
  ctx.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

// X.Y.Z or X.Y.Z-rcN after any tag prefix (v1.2.3, app-1.2.3): the prefix is the config's, read
// later; the shape is checked here so a typo is a usage error before any token or network.
const VERSION_ARGUMENT = /^(?:.*[^0-9.])?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-rc(0|[1-9]\d*))?$/;

/** Length of the X.Y.Z[-rcN] a VERSION_ARGUMENT match ends with. */
function versionLength(m: RegExpExecArray): number {
  return `${m[1]}.${m[2]}.${m[3]}${m[4] === undefined ? '' : `-rc${m[4]}`}`.length;
}

/**
 * Whether `prefix` could be a config's tagPrefix (core's config refuses the rest): a version
 * argument becomes a tag, a branch name and part of a URL, so `../1.2.3` or a newline never
 * gets that far.
 */
function tagPrefixCouldBe(prefix: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  return prefix.length <= 20 && !/[\u0000-\u0020\u007f~^:?*[\\]|\.\.|@\{|^\/|\/\//.test(prefix);
}

/**
 * Refuses a malformed version on the command line (exit 2); `final` refuses candidates too
 * (prepare and cleanup take X.Y.Z only).
 */
export function versionArgument<V extends string | undefined>(
  v: V,
  { what = 'version', final = false }: { what?: string; final?: boolean } = {},
): V {
  const m = v === undefined ? undefined : VERSION_ARGUMENT.exec(v);
  if (v !== undefined && m && !tagPrefixCouldBe(v.slice(0, m.index + m[0].length - versionLength(m))))
    throw new UsageError(
      `${what} "${v.length > 60 ? `${v.slice(0, 60)}…` : v}" is not a release version: the part before X.Y.Z is no tag prefix (at most 20 characters, none of them a space, control character, ~^:?*[\\ or "..")`,
    );
  if (v !== undefined && m && m.slice(1).some((n) => n !== undefined && !Number.isSafeInteger(Number(n))))
    throw new UsageError(
      `${what} "${v.length > 60 ? `${v.slice(0, 60)}…` : v}" is not a release version: a number in it is too large`,
    );
  if (v !== undefined && (!m || (final && m[4] !== undefined)))
    throw new UsageError(
      final
        ? `${what} "${v}" is not a final release version: expected X.Y.Z`
        : `${what} "${v}" is not a release version: expected X.Y.Z or X.Y.Z-rcN`,
    );
  return v;
}
