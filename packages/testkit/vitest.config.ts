import { defineConfig } from 'vitest/config';

// Integration tests start real services; a loaded 2-core CI machine needs generous timeouts.
export default defineConfig({
  test: { testTimeout: 30_000, hookTimeout: 60_000 },
});
