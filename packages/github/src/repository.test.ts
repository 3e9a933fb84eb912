import { describe, expect, it } from 'vitest';
import { parseRepository } from './repository.js';

describe('parseRepository', () => {
  it('parses OWNER/REPO', () => {
    expect(parseRepository('vig-os/devkit')).toEqual({ owner: 'vig-os', repo: 'devkit' });
    expect(parseRepository('a/b.c_d-e')).toEqual({ owner: 'a', repo: 'b.c_d-e' });
  });
  it.each(['acme', 'acme/app/x', '-acme/app', 'ac--me/app', 'acme/..', '/app', 'acme/'])(
    'refuses %j',
    (t) => {
      expect(() => parseRepository(t)).toThrow(/OWNER\/REPO/);
    },
  );
});
