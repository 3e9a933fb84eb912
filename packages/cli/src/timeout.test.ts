// The deadline of network operations: --timeout SECONDS / RELKIT_TIMEOUT, default 60 s. A server
// that accepts connections and never answers fails the command within it, naming the host.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUT_SECONDS, networkTimeoutMs, releaseConfig } from '@relkit/connect';
import {
  DEFAULT_TIMEOUT_SECONDS as CLI_DEFAULT,
  ExitCode,
  UsageError,
  timeoutMs,
  type CliContext,
  type ParsedArgs,
} from './command.js';
import { loadCommands } from './commands/index.js';
import { main } from './main.js';

const args = (timeout?: string): ParsedArgs => ({
  positionals: [],
  values: timeout === undefined ? {} : { timeout },
});

describe('--timeout and RELKIT_TIMEOUT', () => {
  it('default to 60 s, in the CLI and in the composition root alike', () => {
    expect(CLI_DEFAULT).toBe(60);
    expect(DEFAULT_TIMEOUT_SECONDS).toBe(60);
    expect(timeoutMs(args(), {})).toBe(60_000);
    expect(networkTimeoutMs({ env: {} })).toBe(60_000);
  });

  it('take seconds; the flag wins over the environment', () => {
    expect(timeoutMs(args('2'), {})).toBe(2000);
    expect(timeoutMs(args('0.5'), {})).toBe(500);
    expect(timeoutMs(args(), { RELKIT_TIMEOUT: '15' })).toBe(15_000);
    expect(timeoutMs(args('3'), { RELKIT_TIMEOUT: '15' })).toBe(3000);
    expect(networkTimeoutMs({ env: { RELKIT_TIMEOUT: '15' } })).toBe(15_000);
    expect(networkTimeoutMs({ env: { RELKIT_TIMEOUT: '15' }, timeoutMs: 4000 })).toBe(4000);
  });

  it('refuse anything but a positive number as a usage error', () => {
    for (const bad of ['0', '-1', 'soon', 'Infinity', ''])
      if (bad !== '') expect(() => timeoutMs(args(bad), {}), bad).toThrow(UsageError);
    expect(() => timeoutMs(args(), { RELKIT_TIMEOUT: 'never' })).toThrow(/RELKIT_TIMEOUT/);
    expect(() => networkTimeoutMs({ env: { RELKIT_TIMEOUT: 'never' } })).toThrow(/RELKIT_TIMEOUT/);
  });

  it('every command that reaches a registry or GitHub takes --timeout and documents it', async () => {
    const network = [
      'status',
      'promote',
      'rollback',
      'abandon',
      'publish',
      'verify-publish',
      'doctor',
      'image digest',
      'image tag',
      'image inspect',
      'image verify',
      'cleanup',
      'unlock',
      'prepare',
    ];
    const commands = await loadCommands([]);
    for (const name of network) {
      const cmd = commands.find((c) => c.path.join(' ') === name);
      expect(cmd?.options, name).toHaveProperty('timeout');
      const out: string[] = [];
      const ctx: CliContext = {
        stdout: (t) => out.push(t),
        stderr: () => {},
        env: {},
        cwd: '.',
        isTTY: false,
      };
      expect(await main([...cmd!.path, '--help'], ctx, commands)).toBe(ExitCode.ok);
      expect(out.join(''), name).toMatch(/--timeout/);
    }
  });
});

describe('a server that accepts connections and never answers', { timeout: 60_000 }, () => {
  const sockets: Socket[] = [];
  let silent: Server;
  let host = '';
  let workspace = '';

  beforeAll(async () => {
    silent = createServer((s) => {
      sockets.push(s);
      s.on('error', () => {});
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    workspace = mkdtempSync(join(tmpdir(), 'relkit-timeout-'));
    writeFileSync(
      join(workspace, 'release.config.json'),
      releaseConfig({
        repository: 'acme/app',
        image: `${host}/acme/app`,
        action: 'relkit/relkit@v1',
        cliVersion: '0.1.0',
      }),
    );
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  async function run(argv: string[], env: Record<string, string> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const ctx: CliContext = {
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      env: {
        HOME: workspace,
        GH_TOKEN: 'ghp_relkitTimeoutTest000000000000000000000',
        RELKIT_GITHUB_API_URL: `http://${host}`,
        ...env,
      },
      cwd: workspace,
      isTTY: false,
    };
    const started = Date.now();
    const code = await main(argv, ctx);
    return { code, ms: Date.now() - started, stdout: out.join(''), stderr: err.join('') };
  }

  it('image tag --timeout 2 fails within the deadline, naming the host and the time', async () => {
    const r = await run(['image', 'tag', `${host}/acme/app:1.2.3`, 'latest', '--timeout', '2']);
    expect(r.code, r.stderr).toBe(ExitCode.failed);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.stderr).toContain(`${host} did not answer within 2 s`);
    expect(r.stderr).toContain('[TIMEOUT]');
  });

  it('image tag with RELKIT_TIMEOUT=2 does the same', async () => {
    const r = await run(['image', 'tag', `${host}/acme/app:1.2.3`, 'latest'], { RELKIT_TIMEOUT: '2' });
    expect(r.code, r.stderr).toBe(ExitCode.failed);
    expect(r.ms).toBeLessThan(20_000);
    expect(r.stderr).toContain(`${host} did not answer within 2 s`);
  });

  it('status --timeout 2 (registry and GitHub both silent) exits 1 (could not look), naming the host', async () => {
    const r = await run(['status', '1.2.3', '--timeout', '2']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(ExitCode.failed);
    expect(r.ms).toBeLessThan(20_000);
    expect(`${r.stdout}\n${r.stderr}`).toContain(`${host} did not answer within 2 s`);
  });

  it('status with RELKIT_TIMEOUT=2 and --json: one document whose error names the host', async () => {
    const r = await run(['status', '1.2.3', '--json'], { RELKIT_TIMEOUT: '2' });
    expect(r.code, r.stderr).toBe(ExitCode.failed);
    expect(r.ms).toBeLessThan(20_000);
    const doc = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(doc.error.code).toBe('COULD_NOT_LOOK');
    expect(doc.error.message).toContain(`${host} did not answer within 2 s`);
  });

  it('a GitHub API URL with user:password is refused before any request, without the password', async () => {
    const before = sockets.length;
    const r = await run(['status', '1.2.3', '--json'], {
      RELKIT_GITHUB_API_URL: `http://bot:hunter2secret@${host}`,
    });
    expect(r.code).toBe(ExitCode.failed);
    const doc = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    expect(doc.error.code).toBe('INVALID_CONFIG');
    expect(doc.error.message).toContain('credentials do not belong in the URL');
    expect(`${r.stdout}${r.stderr}`).not.toContain('hunter2secret');
    expect(sockets.length).toBe(before);
  });
});
