import { defineConfig } from 'vitest/config';

// Integration tests start a real registry and the mock Sigstore services, and sign with real
// crypto: on a loaded 2-core machine that can take seconds, so give them room.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
