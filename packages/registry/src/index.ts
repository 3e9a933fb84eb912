// @relkit/registry: a spec-exact OCI distribution client on Node's own HTTP client (node:http).
export { RegistryError, NOT_FOUND_CODES, TRANSIENT_CODES, isNotFound, isTransient } from './errors.js';
export type { RegistryErrorCode } from './errors.js';
export { digestOf, assertDigest } from './digest.js';
export {
  parseReference,
  formatReference,
  referenceIdentifier,
  withTag,
  withDigest,
  toReference,
  assertTag,
  isLoopbackRegistry,
  DOCKER_HUB,
} from './reference.js';
export type { ImageReference, ReferenceLike } from './reference.js';
export {
  MediaType,
  MANIFEST_ACCEPT,
  parseManifest,
  bareMediaType,
  isIndexMediaType,
  referencedDescriptors,
  formatPlatform,
} from './manifest.js';
export type { Descriptor, Platform, ParsedManifest, IndexManifest, ImageManifest } from './manifest.js';
export { RegistryClient } from './client.js';
export type { RegistryClientOptions } from './client.js';
export type { RequestOptions } from './context.js';
export type { ManifestHead, Manifest, PlatformImage, ImageDetails } from './manifests.js';
export type { RetagOptions, RetagResult, CopyResult } from './retag.js';
export { referrersTag } from './tags.js';
export type { Referrers } from './tags.js';
export type { BlobInfo } from './blobs.js';
export type { TransportOptions, TransportStats } from './transport.js';
export { parseChallenge, repositoryScope } from './auth.js';
export type { RegistryCredential, CredentialProvider, Challenge, RepositoryAccess } from './auth.js';
export {
  dockerConfigCredentials,
  dockerConfigPath,
  runCredentialHelper,
  envCredentials,
  staticCredentials,
  chainCredentials,
  defaultCredentials,
} from './credentials.js';
export type { DockerConfigOptions } from './credentials.js';
export { registryPort } from './port.js';
