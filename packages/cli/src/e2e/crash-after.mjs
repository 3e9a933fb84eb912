// Test-only preload (node --import): kills release-cli with SIGKILL right after the step named
// in RELKIT_E2E_CRASH_AFTER succeeded, i.e. right after its write. It listens on the CLI's
// `relkit:execution` diagnostics channel; the CLI itself has no crash hook. Never built or shipped.
import { subscribe } from 'node:diagnostics_channel';

const step = process.env.RELKIT_E2E_CRASH_AFTER;
if (step) {
  subscribe('relkit:execution', (event) => {
    if (event?.type === 'step-succeeded' && event.step?.id === step) process.kill(process.pid, 'SIGKILL');
  });
}
