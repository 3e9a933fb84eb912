import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
// Types only: the composition root itself is in dist/adapters.cjs, loaded on first use.
import type { DoctorOptions, DoctorReport, ReleaseConnectOptions } from '@relkit/connect';
import type { ReleaseService } from '@relkit/release-core';
import { ExtensionError } from './errors.js';

/** What the extension hands the engine's composition root (same contract as release-cli, plus its token). */
export type ConnectOptions = ReleaseConnectOptions;

/** Builds the ReleaseService with the registry, sigstore and GitHub adapters (connectRelease). */
export type ConnectRelease = (options: ConnectOptions) => Promise<ReleaseService>;

/** The setup checks of `release-cli doctor` (runDoctor of @relkit/connect). */
export type RunDoctor = (options: DoctorOptions) => Promise<DoctorReport>;

/** The env var that points at another module exporting connectRelease (tests, custom wiring). */
export const CONNECT_MODULE_ENV = 'RELKIT_VSCODE_CONNECT_MODULE';

function pick(mod: unknown, from: string): ConnectRelease {
  const m = mod as { connectRelease?: unknown; default?: { connectRelease?: unknown } } | undefined;
  const fn = m?.connectRelease ?? m?.default?.connectRelease;
  if (typeof fn !== 'function') {
    throw new ExtensionError(
      'CONNECT_UNAVAILABLE',
      `${from} does not export connectRelease; rebuild the extension against a @relkit/connect that has it`,
    );
  }
  return fn as ConnectRelease;
}

/**
 * Loads connectRelease on first use. The adapters (registry client, sigstore verification,
 * Octokit) are a separate bundle, dist/adapters.cjs, so activation does not pay for them.
 */
export async function loadConnectRelease(
  extensionPath: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<ConnectRelease> {
  const override = env[CONNECT_MODULE_ENV];
  if (override) {
    return pick(await import(pathToFileURL(path.resolve(override)).href), override);
  }
  const bundle = path.join(extensionPath, 'dist', 'adapters.cjs');
  return pick(await import(pathToFileURL(bundle).href), 'dist/adapters.cjs');
}

/** Loads runDoctor from the adapters bundle (or the override module) on first use. */
export async function loadRunDoctor(
  extensionPath: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<RunDoctor> {
  const override = env[CONNECT_MODULE_ENV];
  const from = override ?? 'dist/adapters.cjs';
  const mod = (await import(
    pathToFileURL(override ? path.resolve(override) : path.join(extensionPath, 'dist', 'adapters.cjs')).href
  )) as { runDoctor?: unknown; default?: { runDoctor?: unknown } } | undefined;
  const fn = mod?.runDoctor ?? mod?.default?.runDoctor;
  if (typeof fn !== 'function') {
    throw new ExtensionError('CONNECT_UNAVAILABLE', `${from} does not export runDoctor`);
  }
  return fn as RunDoctor;
}
