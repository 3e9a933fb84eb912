// Signature verification of images against the local registry, in-process:
//  1. one image, warm (discovery + crypto), for the two common layouts (goal ≤ 15 ms);
//  2. 100 images verified concurrently with a bounded number of connections;
//  3. relkit's per-bundle crypto vs bare @sigstore/verify on the same bundle, and vs the same with
//     relkit's certificate memo (README ADR 10): relkit's own checks cost (goal ≤ 1.1×).
// Everything runs on 127.0.0.1: the real docker-registry, mock Fulcio/Rekor/TSA, real @sigstore/sign.
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { RegistryClient } from '@relkit/registry';
import {
  BundleVerifier,
  parseTrustRoot,
  registrySignatureStore,
  verifyImage,
  verifyImages,
} from '@relkit/sigstore-verify';
import { memoiseCertificate, memoiseTrustMaterial } from '@relkit/sigstore-verify/conformance';
import {
  COSIGN_SIGN_PREDICATE,
  GITHUB_ACTIONS_ISSUER,
  legacyImageSignature,
  pushBundleReferrer,
  pushLegacySignatures,
  pushTestImage,
  signImageBundle,
  startRegistry,
  startSigstoreInfra,
  workflowSan,
} from '@relkit/testkit';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fmt, measure, median, p90, writeResults } from './lib.mjs';

const IMAGES = 100;
const CONCURRENCY = 8;

const [registry, infra] = await Promise.all([startRegistry(), startSigstoreInfra()]);
try {
  const trustRoot = parseTrustRoot(infra.trustedRoot, 'mock');
  const policy = { identity: workflowSan(), issuer: GITHUB_ACTIONS_ISSUER };
  const verifier = new BundleVerifier({ trustRoot, policy });

  // --- setup: IMAGES images, each with a cosign v3 bundle in the fallback tag index (GHCR-like),
  // and one image with a legacy .sig signature.
  const t0 = performance.now();
  const images = [];
  for (let i = 0; i < IMAGES; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, IMAGES - i) }, async (_, j) => {
        const repository = `bench/app${i + j}`;
        const img = await pushTestImage(registry, { repository, tag: '1.0.0', seed: String(i + j) });
        const bundle = await signImageBundle(infra, { digest: img.digest });
        await pushBundleReferrer(registry, repository, img.digest, bundle, {
          predicateType: COSIGN_SIGN_PREDICATE,
          fallbackTag: true,
        });
        return { repository, digest: img.digest, bundle };
      }),
    );
    images.push(...batch);
  }
  const firstBundle = images[0];
  const legacyImg = await pushTestImage(registry, {
    repository: 'bench/legacy',
    tag: '1.0.0',
    seed: 'legacy',
  });
  await pushLegacySignatures(registry, 'bench/legacy', legacyImg.digest, 'sig', [
    await legacyImageSignature(infra, { digest: legacyImg.digest }),
  ]);
  console.log(`setup: ${IMAGES + 1} images signed and pushed in ${fmt(performance.now() - t0)}`);

  // --- 1. one image, warm
  const client = new RegistryClient({ concurrencyPerHost: CONCURRENCY });
  const store = registrySignatureStore(client, registry.host);
  const one = async (img, reuseResults = true) => {
    const r = await verifyImage(
      { repository: img.repository, digest: img.digest },
      { store, verifier, reuseResults },
    );
    if (r.verdict !== 'verified') throw new Error(`${img.repository}: ${r.summary}`);
  };
  const before = client.stats.requests;
  const single = await measure(() => one(firstBundle), { runs: 60, warmup: 10 });
  const reqPerImage = (client.stats.requests - before) / 70;
  // The same with verification redone every time (no reuse of earlier results).
  const singleCold = await measure(() => one(firstBundle, false), { runs: 30, warmup: 5 });
  const legacy = await measure(() => one({ repository: 'bench/legacy', digest: legacyImg.digest }), {
    runs: 60,
    warmup: 10,
  });
  // Lower bound for the same discovery: the HTTP exchanges alone with plain fetch, no crypto.
  const hex = firstBundle.digest.slice(7);
  const base = registry.url;
  const accept = {
    accept: 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json',
  };
  const fetchOnly = await measure(
    async () => {
      const get = (p, h) => fetch(`${base}${p}`, { headers: h }).then((r) => r.arrayBuffer().then(() => r));
      const [, idxRes] = await Promise.all([
        get(`/v2/${firstBundle.repository}/referrers/${firstBundle.digest}`),
        fetch(`${base}/v2/${firstBundle.repository}/manifests/sha256-${hex}`, { headers: accept }),
        get(`/v2/${firstBundle.repository}/manifests/sha256-${hex}.sig`, accept),
        get(`/v2/${firstBundle.repository}/manifests/sha256-${hex}.att`, accept),
      ]);
      const idx = await idxRes.json();
      const m = await fetch(`${base}/v2/${firstBundle.repository}/manifests/${idx.manifests[0].digest}`, {
        headers: accept,
      }).then((r) => r.json());
      await get(`/v2/${firstBundle.repository}/blobs/${m.layers[0].digest}`);
    },
    { runs: 60, warmup: 10 },
  );
  console.log(
    `one image, warm, results reused (bundle in fallback tag): median ${fmt(median(single))}, p90 ${fmt(p90(single))} ` +
      `(goal ≤ 15 ms; ${reqPerImage.toFixed(1)} requests)`,
  );
  console.log(
    `one image, warm (legacy .sig):            median ${fmt(median(legacy))}, p90 ${fmt(p90(legacy))}`,
  );
  console.log(
    `  plain fetch of the same 6 discovery exchanges, no crypto: median ${fmt(median(fetchOnly))} ` +
      `→ relkit warm / plain = ${(median(single) / median(fetchOnly)).toFixed(2)}×, ` +
      `relkit with crypto redone / plain = ${(median(singleCold) / median(fetchOnly)).toFixed(2)}×`,
  );

  // --- 2. 100 images concurrently, bounded connections
  const many = await measure(
    async () => {
      // Crypto redone for every image on every run: the cold-result cost, with warm connections.
      const results = await verifyImages(images, {
        store,
        verifier,
        concurrency: CONCURRENCY,
        reuseResults: false,
      });
      const bad = results.filter((r) => r.verdict !== 'verified');
      if (bad.length) throw new Error(`${bad.length} not verified: ${bad[0].summary}`);
    },
    { runs: 5, warmup: 1 },
  );
  console.log(
    `${IMAGES} images concurrently (≤ ${CONCURRENCY} images in flight, ≤ ${CONCURRENCY} connections): median ` +
      `${fmt(median(many))} total, ${fmt(median(many) / IMAGES)} per image`,
  );

  // --- 3. per-bundle crypto: relkit vs bare @sigstore/verify on the same bundle
  const bundleJson = firstBundle.bundle;
  const bare = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(infra.trustedRoot)));
  // The same, with the certificate memo relkit puts on the certificates it verifies: the
  // difference to relkit is then relkit's own checks (policy, tlog key, subject), not the memo.
  const memoMaterial = toTrustMaterial(TrustedRoot.fromJSON(infra.trustedRoot));
  memoiseTrustMaterial(memoMaterial);
  const bareMemo = new Verifier(memoMaterial);
  const escaped = workflowSan().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const barePolicy = {
    subjectAlternativeName: new RegExp(`^${escaped}$`),
    extensions: { issuer: GITHUB_ACTIONS_ISSUER },
  };
  const relkitOnce = () => verifier.verify(bundleJson, { subjectDigest: firstBundle.digest });
  // The same checks sigstore-js can do alone: crypto, SAN (anchored RegExp) and issuer.
  const bareOnce = () => bare.verify(toSignedEntity(bundleFromJSON(bundleJson)), barePolicy);
  const bareMemoOnce = () => {
    const entity = toSignedEntity(bundleFromJSON(bundleJson));
    if (entity.key.$case === 'certificate') memoiseCertificate(entity.key.certificate);
    return bareMemo.verify(entity, barePolicy);
  };
  // Paired, alternating single calls: each pair times both on the same bundle back to back (order
  // swapped every pair), and the ratio is the median of the per-pair ratios, so load from other
  // processes (this machine is shared) hits both sides of a pair alike.
  const time = (f) => {
    const t = performance.now();
    f();
    return performance.now() - t;
  };
  const paired = (other) => {
    const relkitT = [];
    const otherT = [];
    const ratios = [];
    for (let i = 0; i < 30; i++) {
      relkitOnce();
      other();
    }
    for (let pair = 0; pair < 400; pair++) {
      let a;
      let b;
      if (pair % 2) {
        a = time(relkitOnce);
        b = time(other);
      } else {
        b = time(other);
        a = time(relkitOnce);
      }
      relkitT.push(a);
      otherT.push(b);
      ratios.push(a / b);
    }
    relkitT.sort((x, y) => x - y);
    otherT.sort((x, y) => x - y);
    ratios.sort((x, y) => x - y);
    return { relkitT, otherT, ratio: median(ratios) };
  };
  const vsBare = paired(bareOnce);
  const vsMemo = paired(bareMemoOnce);
  console.log(
    `per-bundle crypto: relkit ${fmt(median(vsBare.relkitT))} (best ${fmt(vsBare.relkitT[0])}), bare @sigstore/verify ` +
      `${fmt(median(vsBare.otherT))} (best ${fmt(vsBare.otherT[0])}) → ratio ${vsBare.ratio.toFixed(3)}× median of pairs, ` +
      `${(vsBare.relkitT[0] / vsBare.otherT[0]).toFixed(3)}× best-of`,
  );
  console.log(
    `  relkit's own checks: relkit ${fmt(median(vsMemo.relkitT))} vs bare with the same certificate memo ` +
      `${fmt(median(vsMemo.otherT))} → ratio ${vsMemo.ratio.toFixed(3)}× median of pairs, ` +
      `${(vsMemo.relkitT[0] / vsMemo.otherT[0]).toFixed(3)}× best-of (goal ≤ 1.1×)`,
  );

  console.log(
    `load average during the run: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (2 cores)`,
  );
  writeResults('sigstore', {
    loadAverage: loadavg(),
    oneImageWarmFallbackTag: {
      medianMs: median(single),
      p90Ms: p90(single),
      requests: reqPerImage,
      goalMs: 15,
    },
    oneImageCryptoRedone: { medianMs: median(singleCold), p90Ms: p90(singleCold) },
    oneImageWarmLegacySig: { medianMs: median(legacy), p90Ms: p90(legacy) },
    plainFetchDiscovery: {
      medianMs: median(fetchOnly),
      warmRatio: median(single) / median(fetchOnly),
      cryptoRedoneRatio: median(singleCold) / median(fetchOnly),
    },
    concurrentImages: {
      images: IMAGES,
      concurrency: CONCURRENCY,
      medianTotalMs: median(many),
      perImageMs: median(many) / IMAGES,
    },
    perBundleCrypto: {
      relkitMs: median(vsBare.relkitT),
      bareSigstoreVerifyMs: median(vsBare.otherT),
      ratio: vsBare.ratio,
      bestOfRatio: vsBare.relkitT[0] / vsBare.otherT[0],
      bareWithMemoMs: median(vsMemo.otherT),
      ownChecksRatio: vsMemo.ratio,
      ownChecksBestOfRatio: vsMemo.relkitT[0] / vsMemo.otherT[0],
      goal: 1.1,
    },
  });
} finally {
  await Promise.all([registry.stop(), infra.stop()]);
}
