import { defineConfig } from 'vitest/config';

// End-to-end tests start a whole release world (registry, GitHub simulator, Sigstore mocks) and
// run the real release-cli process; a loaded 2-core CI machine needs generous timeouts.
export default defineConfig({
  test: { testTimeout: 120_000, hookTimeout: 120_000 },
});
