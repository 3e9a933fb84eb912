import type { Command } from '../command.js';
import { imageCommands } from './image.js';

/**
 * loadCommands (./index.ts) as the image-tag bundle has it (tools/bundle-cli.mjs): the launcher
 * sends `release-cli image tag …` there, one file with the registry client in it, instead of the
 * main bundle's entry plus the chunks it loads one after another. For argv that starts with
 * `image tag` index.ts loads exactly these commands (the `image` group; `image verify` is
 * another group), so help, usage errors and output are the same; any other argv is not this
 * bundle's to run.
 */
export async function loadCommands(argv: readonly string[]): Promise<readonly Command[]> {
  if (argv[0] !== 'image' || argv[1] !== 'tag')
    throw new Error(`the image-tag bundle runs \`image tag\` only, not \`${argv.slice(0, 2).join(' ')}\``);
  return imageCommands;
}
