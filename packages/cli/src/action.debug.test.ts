// The committed Action bundle with Node's debug logs on (a user debugging a workflow sets
// NODE_DEBUG): `NODE_DEBUG=net` prints each request's options, its Authorization header
// included, on stderr, which the runner puts in the job log. The runner masks the workflow's
// secrets, not a registry token issued at run time nor a docker-config password.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from './__tests__/actions-env.js';
import { startReleaseWorld, type ReleaseWorld } from '@relkit/testkit';

const BUNDLE = join(repoRoot(), 'dist', 'index.js');

let world: ReleaseWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

describe('the action bundle with NODE_DEBUG', { timeout: 120_000 }, () => {
  it('prints no Authorization header value, token nor registry password on stdout or stderr', async () => {
    const w = (world = await startReleaseWorld({ auth: 'basic' }));
    const runner = mkdtempSync(join(tmpdir(), 'relkit-runner-'));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      HOME: runner,
      NODE_DEBUG: 'http,net',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: w.workspace,
      GITHUB_OUTPUT: join(runner, 'output'),
      GITHUB_REPOSITORY: w.repository,
      RELKIT_GITHUB_API_URL: w.env.RELKIT_GITHUB_API_URL!,
      DOCKER_CONFIG: w.env.DOCKER_CONFIG!,
      INPUT_CONFIG: 'release.config.json',
      INPUT_TOKEN: w.github.pushToken,
      INPUT_COMMAND: 'status',
      INPUT_VERSION: w.version,
    };
    const child = spawn(process.execPath, [BUNDLE], { env, cwd: w.workspace });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, output).toBe(0);
    // The debug log ran: the check below means something.
    expect(output).toMatch(/NET \d+: createConnection/);
    const { username, password } = w.registry.credentials!;
    for (const secret of [
      w.github.pushToken,
      password,
      Buffer.from(`${username}:${password}`).toString('base64'),
    ])
      expect(output.includes(secret), `printed ${secret}`).toBe(false);
    expect(output).not.toMatch(/authorization: '(?:Bearer|Basic|token) (?!\*\*\*)/i);
  });
});
