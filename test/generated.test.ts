import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen.js';

describe('generated resolver types', () => {
  it('are up to date with the subgraph SDL (run `npm run codegen`)', async () => {
    const outputs = await generate({ ...config, cwd: new URL('..', import.meta.url).pathname, silent: true }, false);
    expect(outputs.length).toBe(3);
    for (const output of outputs) {
      expect(readFileSync(new URL(`../${output.filename}`, import.meta.url), 'utf8')).toBe(output.content);
    }
  });
});
