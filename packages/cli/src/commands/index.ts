import type { Command } from '../command.js';

/**
 * Every command of release-cli. Each group lives in its own module so that a package's
 * commands are added beside the package's work, and this list is the only shared line.
 */
export const commands: readonly Command[] = [];
