import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { LocalRegistry } from './registry.js';

export const SKOPEO_BIN = process.env.RELKIT_SKOPEO_BIN ?? '/usr/bin/skopeo';

export function skopeoInstalled(): boolean {
  return existsSync(SKOPEO_BIN);
}

/** Runs skopeo, the independent reader tests use to check what a registry really holds. */
export function skopeo(args: readonly string[]): Promise<string> {
  return skopeoBytes(args).then((b) => b.toString('utf8'));
}

export function skopeoBytes(args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(SKOPEO_BIN, [...args], { maxBuffer: 16 << 20, encoding: 'buffer' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`skopeo ${args.join(' ')} failed: ${stderr.toString() || err.message}`));
      else resolve(stdout);
    });
  });
}

function credsArgs(registry: LocalRegistry, flag = '--creds'): string[] {
  return registry.credentials
    ? [flag, `${registry.credentials.username}:${registry.credentials.password}`]
    : [];
}

/** The digest skopeo sees for repo:tag (of the index itself, never a platform child). */
export async function skopeoDigest(registry: LocalRegistry, ref: string): Promise<string> {
  const raw = await skopeoBytes([
    'inspect',
    '--raw',
    '--tls-verify=false',
    ...credsArgs(registry),
    `docker://${registry.host}/${ref}`,
  ]);
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** `skopeo inspect` (resolves a platform on an index) as parsed JSON. */
export async function skopeoInspect(registry: LocalRegistry, ref: string, raw = false): Promise<unknown> {
  const out = await skopeo([
    'inspect',
    ...(raw ? ['--raw'] : []),
    '--tls-verify=false',
    '--override-os=linux',
    '--override-arch=amd64',
    ...credsArgs(registry),
    `docker://${registry.host}/${ref}`,
  ]);
  return JSON.parse(out) as unknown;
}
