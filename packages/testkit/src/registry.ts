import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { freePort, waitForHttp } from './ports.js';
import { startTokenIssuer, type TokenIssuer } from './token-issuer.js';

export type RegistryAuthMode = 'none' | 'basic' | 'token';

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

/** A real CNCF distribution registry (Debian `docker-registry`) on 127.0.0.1. */
export interface LocalRegistry {
  /** e.g. http://127.0.0.1:43123 */
  readonly url: string;
  /** e.g. 127.0.0.1:43123 — the registry part of an image reference. */
  readonly host: string;
  readonly auth: RegistryAuthMode;
  readonly credentials: RegistryCredentials | undefined;
  readonly tokenIssuer: TokenIssuer | undefined;
  readonly storageDir: string;
  stop(): Promise<void>;
}

export const TEST_CREDENTIALS: RegistryCredentials = { username: 'testuser', password: 'testpassword' };
// distribution's htpasswd accepts only bcrypt; a low cost keeps every Basic-auth request cheap
// (the registry checks the hash on each one), which matters on a loaded 2-core CI machine.
const htpasswdLine = () => `${TEST_CREDENTIALS.username}:${bcrypt.hashSync(TEST_CREDENTIALS.password, 4)}\n`;

export const REGISTRY_BIN = process.env.RELKIT_REGISTRY_BIN ?? '/usr/bin/docker-registry';

export function registryInstalled(): boolean {
  return existsSync(REGISTRY_BIN);
}

/**
 * Starts the registry in one of three auth modes, each with its own storage directory.
 * Stopped by PID (only the processes this call started).
 */
export async function startRegistry(options: { auth?: RegistryAuthMode } = {}): Promise<LocalRegistry> {
  const auth = options.auth ?? 'none';
  if (!registryInstalled()) {
    throw new Error(
      `${REGISTRY_BIN} is missing: run \`npm run setup\` (it installs the Debian packages docker-registry and skopeo)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), `relkit-registry-${auth}-`));
  const port = await freePort();
  let tokenIssuer: TokenIssuer | undefined;
  let authYaml = '';
  if (auth === 'basic') {
    writeFileSync(join(dir, 'htpasswd'), htpasswdLine());
    authYaml = `auth:\n  htpasswd:\n    realm: relkit-basic\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth === 'token') {
    tokenIssuer = await startTokenIssuer({
      issuer: 'relkit-test-issuer',
      service: 'relkit-registry',
      users: { [TEST_CREDENTIALS.username]: TEST_CREDENTIALS.password },
    });
    writeFileSync(join(dir, 'token-ca.pem'), tokenIssuer.certPem);
    authYaml =
      `auth:\n  token:\n    realm: ${tokenIssuer.url}\n    service: relkit-registry\n` +
      `    issuer: relkit-test-issuer\n    rootcertbundle: ${join(dir, 'token-ca.pem')}\n`;
  }
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: relkit-test-secret',
      authYaml,
    ].join('\n'),
  );
  const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    await tokenIssuer?.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${url}/v2/`);
  } catch (e) {
    await stop();
    throw new Error(`registry did not start: ${(e as Error).message}\n${stderr}`, { cause: e });
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    auth,
    credentials: auth === 'none' ? undefined : TEST_CREDENTIALS,
    tokenIssuer,
    storageDir: dir,
    stop,
  };
}
