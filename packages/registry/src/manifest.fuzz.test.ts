// Fuzzing manifest and index parsing (and references): whatever the registry sends, only
// RegistryError escapes. RELKIT_FUZZ_RUNS raises the run count.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RegistryError } from './errors.js';
import { parseManifest } from './manifest.js';
import { parseReference } from './reference.js';

const RUNS = Number(process.env.RELKIT_FUZZ_RUNS ?? 300);
const bytes = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

function onlyTypedErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(RegistryError);
  }
}

const MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.v1+prettyjws',
  'text/plain',
  '',
];
const descriptorish = fc.record(
  {
    mediaType: fc.oneof(fc.constantFrom(...MEDIA_TYPES), fc.jsonValue()),
    digest: fc.oneof(fc.constant(`sha256:${'a'.repeat(64)}`), fc.string(), fc.jsonValue()),
    size: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.jsonValue()),
    platform: fc.oneof(fc.record({ os: fc.string(), architecture: fc.string() }), fc.jsonValue()),
    annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
  },
  { requiredKeys: [] },
);
const manifestish = fc.record(
  {
    schemaVersion: fc.oneof(fc.constantFrom(1, 2), fc.jsonValue()),
    mediaType: fc.oneof(fc.constantFrom(...MEDIA_TYPES), fc.jsonValue()),
    manifests: fc.oneof(fc.array(descriptorish, { maxLength: 3 }), fc.jsonValue()),
    config: fc.oneof(descriptorish, fc.jsonValue()),
    layers: fc.oneof(fc.array(descriptorish, { maxLength: 3 }), fc.jsonValue()),
    subject: fc.oneof(descriptorish, fc.jsonValue()),
    annotations: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.jsonValue()),
    artifactType: fc.oneof(fc.string(), fc.jsonValue()),
  },
  { requiredKeys: [] },
);

describe('manifest and index parsing fuzzing: nothing but RegistryError escapes', () => {
  it('arbitrary bytes with any content type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.option(fc.constantFrom(...MEDIA_TYPES)), (b, type) =>
        onlyTypedErrors(() => parseManifest(b, type ?? undefined)),
      ),
      { numRuns: RUNS },
    );
  });

  it('arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (json) => onlyTypedErrors(() => parseManifest(bytes(json)))),
      {
        numRuns: RUNS,
      },
    );
  });

  it('manifest- and index-shaped JSON with wrong fields', () => {
    fc.assert(
      fc.property(manifestish, fc.option(fc.constantFrom(...MEDIA_TYPES)), (m, type) =>
        onlyTypedErrors(() => parseManifest(bytes(m), type ?? undefined)),
      ),
      { numRuns: RUNS },
    );
  });

  it('image references', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc
            .array(
              fc.constantFrom(
                'ghcr.io',
                'localhost:5000',
                '/',
                'acme',
                'App',
                ':',
                '1.2.3',
                '@',
                'sha256:',
                'a'.repeat(64),
                '.',
                '-',
                '_',
              ),
              { maxLength: 10 },
            )
            .map((p) => p.join('')),
        ),
        (ref) => onlyTypedErrors(() => parseReference(ref)),
      ),
      { numRuns: RUNS },
    );
  });
});
