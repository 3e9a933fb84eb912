// How RC images are deleted: an OCI manifest DELETE through the registry, or the GitHub Packages
// API. ghcr.io answers the OCI DELETE with 405 UNSUPPORTED, so 'auto' picks the Packages API there.
import type { ReleaseConfig } from '../config.js';

export type CleanupRoute = 'packages-api' | 'registry';

/** The registry host of an image name (`ghcr.io/acme/app` → `ghcr.io`; Docker Hub's implicit host). */
export function imageHost(image: string): string {
  const first = image.split('/')[0] ?? '';
  const explicit =
    image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return explicit ? first.toLowerCase() : 'docker.io';
}

/** The route the config picks for an image: `cleanup.via`, or for 'auto' the Packages API on ghcr.io. */
export function cleanupRoute(config: Pick<ReleaseConfig, 'cleanup'>, image: string): CleanupRoute {
  const via = config.cleanup?.via ?? 'auto';
  if (via !== 'auto') return via;
  return imageHost(image) === 'ghcr.io' ? 'packages-api' : 'registry';
}

/** The way out when a registry refuses the OCI DELETE (405 UNSUPPORTED, as ghcr.io does). */
export const UNSUPPORTED_DELETE_WAY_OUT =
  'this registry does not delete manifests through the OCI API (ghcr.io answers 405 UNSUPPORTED): delete package versions through the GitHub Packages API instead — relkit does that for ghcr.io images by itself (cleanup.via "auto"), or set "cleanup": { "via": "packages-api" } in release.config.json';
