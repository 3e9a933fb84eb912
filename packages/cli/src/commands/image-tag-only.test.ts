import { describe, expect, it } from 'vitest';
import { loadCommands as loadAll } from './index.js';
import { loadCommands as loadImageTag } from './image-tag-only.js';

// The image-tag bundle (tools/bundle-cli.mjs) runs main() with this loader in place of
// ./index.ts: for every argv the launcher sends there, it must give exactly the same commands.
describe('the image-tag bundle loader', () => {
  it.each([
    [['image', 'tag', 'localhost:5000/acme/app:1.2.3', 'latest']],
    [['image', 'tag', 'localhost:5000/acme/app:1.2.3', 'latest', '--json', '--insecure']],
    [['image', 'tag', '--help']],
    [['image', 'tag', '-h']],
    [['image', 'tag']],
    [['image', 'tag', 'a', 'b', 'c', '--bogus']],
  ])('loads what index.ts loads for %j', async (argv) => {
    expect(await loadImageTag(argv)).toEqual(await loadAll(argv));
  });

  it('refuses any other command', async () => {
    await expect(loadImageTag(['image', 'digest', 'x'])).rejects.toThrow(/image tag/);
    await expect(loadImageTag(['promote', '1.2.3'])).rejects.toThrow(/image tag/);
  });
});
