// Writes dist/release.config.schema.json from the zod schema, so editors validate
// release.config.json with exactly the rules relkit applies.
import { writeFileSync } from 'node:fs';
import { releaseConfigJsonSchema } from '../dist/index.js';

const schema = {
  ...releaseConfigJsonSchema(),
  $id: 'https://relkit.dev/schemas/release.config.schema.json',
  title: 'relkit release.config.json',
};
writeFileSync(
  new URL('../dist/release.config.schema.json', import.meta.url),
  `${JSON.stringify(schema, null, 2)}\n`,
);
