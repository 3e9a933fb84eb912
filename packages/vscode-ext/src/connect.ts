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
 * There is no override: the extension-host tests that need another connectRelease stage a copy
 * of the extension whose dist/adapters.cjs forwards to it (tools/vscode-host/connect-override.mjs).
 */
export async function loadConnectRelease(extensionPath: string): Promise<ConnectRelease> {
  const bundle = path.join(extensionPath, 'dist', 'adapters.cjs');
  return pick(await import(pathToFileURL(bundle).href), 'dist/adapters.cjs');
}

/** Loads runDoctor from the adapters bundle on first use (no override, as for connectRelease). */
export async function loadRunDoctor(extensionPath: string): Promise<RunDoctor> {
  const bundle = path.join(extensionPath, 'dist', 'adapters.cjs');
  const mod = (await import(pathToFileURL(bundle).href)) as
    { runDoctor?: unknown; default?: { runDoctor?: unknown } } | undefined;
  const fn = mod?.runDoctor ?? mod?.default?.runDoctor;
  if (typeof fn !== 'function') {
    throw new ExtensionError('CONNECT_UNAVAILABLE', 'dist/adapters.cjs does not export runDoctor');
  }
  return fn as RunDoctor;
}
