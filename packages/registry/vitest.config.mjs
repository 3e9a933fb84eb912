import { defineConfig } from 'vitest/config';

// Integration tests start real registries and wait out Retry-After: give them room.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
