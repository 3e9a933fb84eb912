// Entry of the lazily loaded adapters bundle (dist/adapters.cjs): the engine's composition root
// from release-cli, which wires the registry, sigstore and GitHub adapters into ReleasePorts.
// Kept out of extension.cjs so activation stays fast. The `@relkit/cli/connect` subpath holds
// only the composition root, not the CLI's commands.
import { connectRelease as connect } from '@relkit/cli/connect';
import type { ConnectRelease } from './connect.js';

export const connectRelease: ConnectRelease = connect;
