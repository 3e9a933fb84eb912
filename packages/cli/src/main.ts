import {
  ExitCode,
  OPTION_HELP,
  UsageError,
  parseCommandArgs,
  type CliContext,
  type Command,
} from './command.js';
import { loadCommands } from './commands/index.js';
import { makeRedactor } from './redact.js';

const { readFileSync } = process.getBuiltinModule('node:fs'); // no ESM facade at start-up (command.ts)

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The `error.code` of a --json failure that has no code of its own, by exit code. */
const EXIT_ERROR_CODE: Readonly<Record<ExitCode, string>> = {
  [ExitCode.ok]: 'OK',
  [ExitCode.failed]: 'FAILED',
  [ExitCode.usage]: 'USAGE',
  [ExitCode.gateNotMet]: 'GATE_NOT_MET',
  [ExitCode.lockHeld]: 'LOCK_HELD',
};

/** Finds the longest command path that prefixes argv. */
function findCommand(commands: readonly Command[], argv: readonly string[]): Command | undefined {
  let best: Command | undefined;
  for (const c of commands) {
    if (c.path.every((w, i) => argv[i] === w) && (!best || c.path.length > best.path.length)) best = c;
  }
  return best;
}

export function renderHelp(commands: readonly Command[], prefix: readonly string[] = []): string {
  const shown = commands.filter((c) => prefix.every((w, i) => c.path[i] === w));
  const lines = [
    `release-cli ${VERSION} — safe two-phase container releases (publish, then promote)`,
    '',
    'Usage: release-cli <command> [options]',
    '',
    'Commands:',
    // Usage lines are long (every option named): the summary goes on its own indented line.
    ...shown.flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
    '',
    'Global options:',
    '  -h, --help     show help (also after any command)',
    '  --version      print the version',
    '',
    'Exit codes: 0 done, 1 failed, 2 usage, 3 gate not met, 4 lock held.',
    '(1 also when something could not be looked at: a gate is never "not met" for that.)',
    'Every command that reports takes --json for machine-readable output; with --json a failure is',
    'one JSON object on stdout with error: { code, message } at the top level. NO_COLOR is respected.',
    'Every command that talks to a registry or GitHub takes --timeout SECONDS: the deadline of each',
    'network operation, retries included (default 60; env RELKIT_TIMEOUT).',
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * A command's --help: usage, summary, its own help text, then every option that text does not
 * already name (so --config and --json are never left out), and -h, --help.
 */
export function renderCommandHelp(c: Command): string {
  const help = c.help?.trimEnd() ?? '';
  const missing = Object.entries(c.options ?? {}).filter(
    ([name]) => !new RegExp(`(^|[\\s,])--${name}\\b`).test(help),
  );
  const lines = missing.map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ' V' : ''}`;
    return `  ${flag.padEnd(16)} ${OPTION_HELP[name] ?? ''}`.trimEnd();
  });
  const more = [...(lines.length > 0 ? ['Options:', ...lines] : []), '  -h, --help       show this help'];
  return `Usage: release-cli ${c.usage}\n\n${c.summary}\n${help ? `\n${help}\n` : '\n'}${more.join('\n')}\n`;
}

/**
 * Runs one release-cli invocation in-process and returns its exit code. Output goes through
 * the context, redacted, so tests and the VS Code extension can call it without a process.
 */
export async function main(
  argv: readonly string[],
  context: CliContext,
  commandList?: readonly Command[],
): Promise<ExitCode> {
  if (argv[0] === '--version') {
    context.stdout(`${VERSION}\n`);
    return ExitCode.ok;
  }
  const commands = commandList ?? (await loadCommands(argv));
  const redact = makeRedactor(context.env);
  const ctx: CliContext = {
    ...context,
    stdout: (t) => context.stdout(redact(t)),
    stderr: (t) => context.stderr(redact(t)),
  };
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    ctx.stdout(renderHelp(commands, argv[0] === 'help' ? argv.slice(1) : []));
    return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
  }
  const cmd = findCommand(commands, argv);
  if (!cmd) {
    const group = commands.some((c) => c.path[0] === argv[0]);
    if (group && (argv.length === 1 || argv.includes('--help') || argv.includes('-h'))) {
      ctx.stdout(renderHelp(commands, [argv[0] as string]));
      return argv.length === 1 ? ExitCode.usage : ExitCode.ok;
    }
    ctx.stderr(
      `release-cli: unknown command "${argv.slice(0, group ? 2 : 1).join(' ')}". Run release-cli --help.\n`,
    );
    return ExitCode.usage;
  }
  // With --json a failure is still one JSON object on stdout, so a script parses every outcome.
  const json = argv.includes('--json');
  let printed = false;
  let said = '';
  const run: CliContext = {
    ...ctx,
    stdout: (t) => {
      printed = true;
      ctx.stdout(t);
    },
    stderr: (t) => {
      // What the command last said (not progress lines): the message of a failure it reports
      // only on stderr.
      if (!t.startsWith('\r') && !/^(still )?waiting /.test(t) && t.trim()) said = t.trim();
      ctx.stderr(t);
    },
  };
  // Never a second document: a command that printed its own (with its error) has said it.
  const jsonError = (code: string, message: string) =>
    json && !printed && ctx.stdout(`${JSON.stringify({ error: { code, message } })}\n`);
  try {
    const args = parseCommandArgs(cmd, argv.slice(cmd.path.length));
    if (args.values.help) {
      ctx.stdout(renderCommandHelp(cmd));
      return ExitCode.ok;
    }
    const code = await cmd.run(args, run);
    // A command that failed without a document (a refusal said only on stderr) still prints one.
    if (code !== ExitCode.ok) jsonError(EXIT_ERROR_CODE[code], said || `exit code ${code}`);
    return code;
  } catch (e) {
    if (e instanceof UsageError) {
      jsonError('USAGE', e.message);
      ctx.stderr(`release-cli ${cmd.path.join(' ')}: ${e.message}\nUsage: release-cli ${cmd.usage}\n`);
      return ExitCode.usage;
    }
    const err = e as Error & { code?: unknown };
    const code = typeof err.code === 'string' ? ` [${err.code}]` : '';
    jsonError(typeof err.code === 'string' ? err.code : 'FAILED', err.message ?? String(e));
    ctx.stderr(`release-cli ${cmd.path.join(' ')}: ${err.message ?? String(e)}${code}\n`);
    return ExitCode.failed;
  }
}
