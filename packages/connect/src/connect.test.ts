// The config lookup every front end shares: an explicit path, or the nearest release.config.json
// from the working directory upwards, and a message that says how to get one when there is none.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE, findConfig, loadConfig } from './index.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'relkit-connect-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('findConfig', () => {
  it('finds the nearest release.config.json from cwd upwards', () => {
    writeFileSync(join(dir, CONFIG_FILE), '{"repository":"acme/app"}');
    const nested = join(dir, 'a', 'b');
    mkdirSync(nested, { recursive: true });
    expect(findConfig(nested)).toBe(join(dir, CONFIG_FILE));
  });

  it('takes an explicit path relative to cwd and refuses one that does not exist', () => {
    writeFileSync(join(dir, 'other.json'), '{"repository":"acme/app"}');
    expect(findConfig(dir, 'other.json')).toBe(join(dir, 'other.json'));
    expect(() => findConfig(dir, 'missing.json')).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: `${join(dir, 'missing.json')} does not exist`,
      }),
    );
  });

  it('says how to create a config when there is none', () => {
    const nested = join(dir, 'empty');
    mkdirSync(nested);
    expect(() => findConfig(nested)).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: expect.stringContaining('release-cli init'),
      }),
    );
  });
});

describe('loadConfig', () => {
  it('parses the config it finds and returns its path', () => {
    writeFileSync(join(dir, CONFIG_FILE), '{"repository":"acme/app"}');
    const { config, path } = loadConfig(dir);
    expect(path).toBe(join(dir, CONFIG_FILE));
    expect(config.repository).toBe('acme/app');
  });

  it('names the file when it is not valid JSON', () => {
    writeFileSync(join(dir, CONFIG_FILE), '{');
    expect(() => loadConfig(dir)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it("names the file when it is a directory or cannot be read (not Node's bare EISDIR)", () => {
    mkdirSync(join(dir, CONFIG_FILE));
    expect(() => loadConfig(dir)).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: `${join(dir, CONFIG_FILE)} is a directory, not a config file; pass the file with --config`,
      }),
    );
    // Any other read failure names the file and Node's code. (Not a mode-000 file: root reads
    // those, and CI runs as root; /proc/self/mem exists and fails to read (EIO) for everyone.)
    expect(() => loadConfig(dir, '/proc/self/mem')).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: '/proc/self/mem: cannot read the config (EIO)',
      }),
    );
  });

  it('reads a config saved with a BOM, and names the file when it is empty', () => {
    writeFileSync(join(dir, CONFIG_FILE), '\uFEFF{"repository":"acme/app"}\r\n');
    expect(loadConfig(dir).config.repository).toBe('acme/app');
    writeFileSync(join(dir, CONFIG_FILE), '');
    expect(() => loadConfig(dir)).toThrow(
      expect.objectContaining({
        code: 'INVALID_CONFIG',
        message: expect.stringContaining(`${join(dir, CONFIG_FILE)} is not valid JSON`) as unknown,
      }),
    );
  });
});
