// @relkit/testkit: real local services for relkit's tests. Never imported by product code.
export { freePort, waitForHttp } from './ports.js';
export { rejectionOf } from './expect.js';
export { startRegistry, registryInstalled, TEST_CREDENTIALS, REGISTRY_BIN } from './registry.js';
export type { LocalRegistry, RegistryAuthMode, RegistryCredentials } from './registry.js';
export { startTokenIssuer } from './token-issuer.js';
export type { TokenIssuer, TokenIssuerOptions } from './token-issuer.js';
export { OciWriter, MediaTypes, ALL_MANIFEST_TYPES, sha256 } from './oci-writer.js';
export { pushTestImage } from './test-image.js';
export type { PushedImage, TestImageFormat } from './test-image.js';
export { startFaultProxy } from './fault-proxy.js';
export { startTlsFront } from './tls-front.js';
export type { TlsFront } from './tls-front.js';
export type { Fault, FaultProxy, FaultRule, ProxiedRequest } from './fault-proxy.js';
export { skopeo, skopeoBytes, skopeoDigest, skopeoInspect, skopeoInstalled, SKOPEO_BIN } from './skopeo.js';
export * from './sigstore/index.js';
export * from './github/index.js';
export { startReleaseWorld, WORLD_REPOSITORY, WORLD_SIGNING_IDENTITY_REGEXP } from './world.js';
export type { ReleaseWorld, ReleaseWorldOptions } from './world.js';
