import type { Command } from '../command.js';

/**
 * Every command group of release-cli, each in its own module. A run loads only the groups its
 * words can name (the adapters and their dependencies are the bulk of start-up time), so
 * `release-cli image tag` does not pay for Sigstore, Octokit or zod.
 */
interface CommandGroup {
  /** Leading words that select the group, e.g. ['image', 'verify']. */
  readonly prefixes: readonly (readonly string[])[];
  readonly load: () => Promise<readonly Command[]>;
}

const groups: readonly CommandGroup[] = [
  {
    prefixes: [['status'], ['promote'], ['rollback'], ['abandon'], ['unlock']],
    load: async () => (await import('./release.js')).releaseCommands,
  },
  { prefixes: [['image']], load: async () => (await import('./image.js')).imageCommands },
  {
    prefixes: [['image', 'verify'], ['sigstore']],
    load: async () => (await import('./sigstore.js')).sigstoreCommands,
  },
  {
    prefixes: [['publish'], ['verify-publish'], ['init']],
    load: async () => (await import('./publish.js')).publishCommands,
  },
  { prefixes: [['prepare']], load: async () => (await import('./prepare.js')).prepareCommands },
  { prefixes: [['changelog']], load: async () => (await import('./changelog.js')).changelogCommands },
  { prefixes: [['doctor']], load: async () => (await import('./doctor.js')).doctorCommands },
  { prefixes: [['cleanup']], load: async () => (await import('./cleanup.js')).cleanupCommands },
];

/** The commands argv can name; every command when it names no group (help, typos). */
export async function loadCommands(argv: readonly string[]): Promise<readonly Command[]> {
  const selects = (p: readonly string[]) => p.every((w, i) => i >= argv.length || argv[i] === w);
  const chosen = groups.filter((g) => g.prefixes.some(selects));
  return (await Promise.all((chosen.length > 0 ? chosen : groups).map((g) => g.load()))).flat();
}
