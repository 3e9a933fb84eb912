import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startReleaseWorld, type ReleaseWorld } from './world.js';
import { skopeoDigest } from './skopeo.js';

describe('release world', () => {
  let world: ReleaseWorld;
  beforeAll(async () => {
    world = await startReleaseWorld();
  });
  afterAll(async () => {
    await world?.stop();
  });

  it('holds X.Y.Z and the previous version as latest, as skopeo reads them', async () => {
    expect(await skopeoDigest(world.registry, `${world.imageRepository}:${world.version}`)).toBe(
      world.images.version.digest,
    );
    expect(await skopeoDigest(world.registry, `${world.imageRepository}:latest`)).toBe(
      world.images.previous.digest,
    );
    expect(world.images.version.digest).not.toBe(world.images.previous.digest);
  });

  it('has the GitHub side of a published release: draft, approved PR, smoke release', () => {
    const drafts = world.github.releases(world.repository).filter((r) => r.draft);
    expect(drafts.map((r) => r.tag)).toEqual([world.version]);
    expect(world.github.pull(world.repository, world.pullRequest)).toMatchObject({
      head: `release/${world.version}`,
      base: 'main',
      draft: false,
    });
    expect(world.github.releases(world.smokeRepository).map((r) => r.tag)).toEqual([world.version]);
    expect(world.github.readFile(world.repository, `refs/tags/${world.version}`, 'CHANGELOG.md')).toMatch(
      /## \[1\.2\.3\]\(https/,
    );
  });

  it('writes a config that names the registry image and the mock trust root', () => {
    const cfg = JSON.parse(readFileSync(world.configPath, 'utf8')) as { images: { name: string }[] };
    expect(cfg.images[0]!.name).toBe(world.image);
    expect(world.env.GITHUB_TOKEN).toBe(world.github.pushToken);
  });
});
