// Entry of the lazily loaded adapters bundle (dist/adapters.cjs): the engine's composition root,
// @relkit/connect, which wires the registry, sigstore and GitHub adapters into ReleasePorts.
// Kept out of extension.cjs so activation stays fast.
import { connectRelease as connect, runDoctor as doctor } from '@relkit/connect';
import type { ConnectRelease, RunDoctor } from './connect.js';

export const connectRelease: ConnectRelease = connect;
/** "Release: Check Setup": the same doctor as `release-cli doctor`. */
export const runDoctor: RunDoctor = doctor;
