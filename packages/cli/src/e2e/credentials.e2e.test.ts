// Credential hygiene with every debug setting: the real release-cli process against the real
// registry in basic-auth mode, with credentials from the environment and from a docker config.
// Node's debug logs (NODE_DEBUG) and the `debug` package (DEBUG=*) write to stderr past the
// CLI's redacting context; the CLI routes its own stderr through the redactor too.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReleaseWorld, type ReleaseWorld } from '@relkit/testkit';
import { describeRun, expectExit, runRelease } from './harness.js';

const DEBUG_SETTINGS: readonly Record<string, string>[] = [
  ...['net', 'http', 'http2', 'tls', 'fetch', 'undici'].map((m) => ({ NODE_DEBUG: m })),
  { NODE_DEBUG: 'net,http,http2,tls,fetch,undici' },
  { DEBUG: '*' },
  { DEBUG: '*', NODE_DEBUG: 'net,http,http2,tls,fetch,undici' },
];

let world: ReleaseWorld;
let dir: string;
beforeAll(async () => {
  world = await startReleaseWorld({ auth: 'basic' });
  dir = mkdtempSync(join(tmpdir(), 'relkit-hygiene-'));
});
afterAll(async () => {
  await world?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The password and every base64 form of it a Basic header or a docker config could carry. */
function forbidden(username: string, password: string): string[] {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const forms = [password, b64(password), b64(`${username}:${password}`), encodeURIComponent(password)];
  return [
    ...forms,
    ...forms.map((f) => f.replace(/=+$/, '')),
    ...forms.map((f) => f.replace(/\+/g, '-').replace(/\//g, '_')),
  ];
}

const modes = {
  // the world's own environment: DOCKER_CONFIG with an auths entry for the registry
  'a docker config (auths.auth)': () => ({}),
  'RELKIT_REGISTRY_USERNAME/PASSWORD': () => {
    const empty = join(dir, 'empty-docker');
    mkdirSync(empty, { recursive: true });
    return {
      DOCKER_CONFIG: empty,
      RELKIT_REGISTRY_USERNAME: world.registry.credentials!.username,
      RELKIT_REGISTRY_PASSWORD: world.registry.credentials!.password,
    };
  },
} as const;

describe('no credential in any output under any debug setting', { timeout: 300_000 }, () => {
  for (const [mode, credentialEnv] of Object.entries(modes)) {
    it(`credentials from ${mode}: neither the password nor its base64 forms are printed`, async () => {
      const { username, password } = world.registry.credentials!;
      for (const debug of DEBUG_SETTINGS) {
        for (const args of [
          ['status', world.version, '--json', '--config', world.configPath],
          ['image', 'tag', `${world.image}:${world.version}`, 'hygiene', '--json'],
        ]) {
          const env: Record<string, string> = { ...credentialEnv(), ...debug };
          const run = await runRelease(args, {
            cwd: world.workspace,
            env: { ...process.env, ...world.env, NO_COLOR: '1', ...env },
          });
          expectExit(run, 0);
          const output = run.stdout + run.stderr;
          for (const secret of forbidden(username, password)) {
            expect(
              output.includes(secret),
              `${JSON.stringify(debug)} printed ${secret}\n${describeRun(run)}`,
            ).toBe(false);
          }
          // The debug log ran (so the check above means something). `image tag` pipelines its
          // manifest requests on a bare socket (no node:http), so the net log is the one it writes.
          const logs = debug.NODE_DEBUG?.split(',') ?? [];
          if (logs.includes('http') && args[0] === 'status')
            expect(run.stderr, `${JSON.stringify(debug)}: ${run.args.join(' ')}`).toMatch(/^HTTP \d+:/m);
          if (logs.includes('net'))
            expect(run.stderr, `${JSON.stringify(debug)}: ${run.args.join(' ')}`).toMatch(/^NET \d+:/m);
        }
      }
    });
  }
});
