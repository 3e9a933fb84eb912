import { defineConfig } from 'vitest/config';

// The publish forge test runs against the GitHub simulator (a real HTTP server validating every
// request against GitHub's OpenAPI description); a loaded 2-core CI machine needs generous timeouts.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
