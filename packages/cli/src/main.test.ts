import { describe, expect, it } from 'vitest';
import { ExitCode, type CliContext, type Command } from './command.js';
import { loadCommands } from './commands/index.js';
import { main } from './main.js';

function capture(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env,
    cwd: process.cwd(),
    isTTY: false,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

const echo: Command = {
  path: ['demo', 'echo'],
  summary: 'prints its argument',
  usage: 'demo echo <text> [--json]',
  options: { json: { type: 'boolean' } },
  positionals: [1, 1],
  async run(args, ctx) {
    ctx.stdout(args.values.json ? JSON.stringify({ text: args.positionals[0] }) : `${args.positionals[0]}\n`);
    return ExitCode.ok;
  },
};

describe('main', () => {
  it('prints help listing the commands and exits 0', async () => {
    const c = capture();
    expect(await main(['--help'], c.ctx, [echo])).toBe(0);
    expect(c.out()).toContain('demo echo <text> [--json]');
    expect(c.out()).toContain('Exit codes: 0 done, 1 failed, 2 usage, 3 gate not met, 4 lock held.');
  });

  it('exits 2 on an unknown command, a bad flag and a missing argument', async () => {
    for (const argv of [['nope'], ['demo', 'echo', '--bogus', 'x'], ['demo', 'echo']]) {
      const c = capture();
      expect(await main(argv, c.ctx, [echo])).toBe(ExitCode.usage);
      expect(c.err()).toMatch(/release-cli/);
    }
  });

  it('runs a command and redacts secrets from everything it prints', async () => {
    const c = capture({ GITHUB_TOKEN: 'ghs_0123456789abcdefghijklmnopqrstuv' });
    expect(await main(['demo', 'echo', 'token=ghs_0123456789abcdefghijklmnopqrstuv'], c.ctx, [echo])).toBe(0);
    expect(c.out()).toBe('token=***\n');
  });

  it('maps a thrown error to exit 1 with its code', async () => {
    const boom: Command = {
      ...echo,
      positionals: [0, 0],
      async run() {
        throw Object.assign(new Error('registry said no'), { code: 'DENIED' });
      },
    };
    const c = capture();
    expect(await main(['demo', 'echo'], c.ctx, [boom])).toBe(ExitCode.failed);
    expect(c.err()).toContain('registry said no [DENIED]');
  });

  it('says "unknown option --x" and prints the usage once', async () => {
    const c = capture();
    expect(await main(['demo', 'echo', '--bogus', 'x'], c.ctx, [echo])).toBe(ExitCode.usage);
    expect(c.err()).toBe(
      'release-cli demo echo: unknown option --bogus\nUsage: release-cli demo echo <text> [--json]\n',
    );
  });

  it('names the missing argument and prints the usage once', async () => {
    const c = capture();
    expect(await main(['demo', 'echo'], c.ctx, [echo])).toBe(ExitCode.usage);
    expect(c.err()).toBe(
      'release-cli demo echo: missing argument <text>\nUsage: release-cli demo echo <text> [--json]\n',
    );
    expect(c.err().match(/Usage:/g)).toHaveLength(1);
  });

  it("every command's --help lists every option it takes, --config included", async () => {
    const commands = await loadCommands([]);
    expect(commands.map((x) => x.path.join(' '))).toContain('doctor');
    for (const cmd of commands) {
      const c = capture();
      expect(await main([...cmd.path, '--help'], c.ctx, commands)).toBe(ExitCode.ok);
      for (const name of [...Object.keys(cmd.options ?? {}), 'help']) {
        expect(c.out(), `${cmd.path.join(' ')} --help`).toMatch(new RegExp(`--${name}\\b`));
      }
    }
    const status = capture();
    await main(['status', '--help'], status.ctx, commands);
    expect(status.out()).toContain('--config');
  });

  it("every command's usage line names every option it takes", async () => {
    for (const cmd of await loadCommands([])) {
      for (const name of Object.keys(cmd.options ?? {})) {
        expect(cmd.usage, `${cmd.path.join(' ')} usage`).toMatch(new RegExp(`--${name}\\b`));
      }
    }
  });
});

describe('version arguments that would become refs', () => {
  // Refused as usage errors before any config, token or network: a version becomes a tag, a
  // branch name (release/{version}) and part of API paths.
  it.each([
    ['promote', '../1.2.3'],
    ['promote', 'a/../1.2.3'],
    ['promote', 'v1.2.3\u0000'],
    ['promote', 'x\ty1.2.3'],
    ['promote', `${'x'.repeat(21)}1.2.3`],
    ['promote', `${'1'.repeat(1000)}.0.0`],
    ['promote', '1.2.99999999999999999999'],
    ['promote', '01.2.3'],
    ['promote', '1.2.3-'],
    ['prepare', 'rel:1.2.3'],
    ['prepare', 'a~1.2.3'],
    ['status', 'x@{1}1.2.3'],
  ])('%s %j exits 2 with a usage error', async (command, version) => {
    const c = capture();
    const commands = await loadCommands([]);
    expect(await main([command, version], c.ctx, commands)).toBe(ExitCode.usage);
    expect(c.err()).toMatch(/is not a (final )?release version/);
    expect(c.err()).not.toMatch(/token/i);
  });

  it('still takes a prefixed version (the prefix is checked against the config later)', async () => {
    const c = capture({ RELKIT_GITHUB_API_URL: 'http://127.0.0.1:9', GITHUB_TOKEN: '' });
    const commands = await loadCommands([]);
    for (const version of ['v1.2.3', 'app-v1.2.3-rc2', 'app/v1.2.3']) {
      expect(
        await main(['promote', version, '--config', '/nonexistent/release.config.json'], c.ctx, commands),
      ).toBe(ExitCode.failed);
    }
    expect(c.err()).toMatch(/does not exist \[INVALID_CONFIG\]/);
  });
});
