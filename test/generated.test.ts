import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { errorsDocument } from '@shop/errors/document';

const repoRoot = new URL('..', import.meta.url).pathname;

describe('generated resolver types', () => {
  it('are up to date with the subgraph SDL (run `npm run codegen`)', () => {
    const printed = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/print-codegen.ts'], {
      cwd: repoRoot,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const outputs = JSON.parse(printed) as Array<{ filename: string; content: string }>;
    expect(outputs.map((output) => output.filename).sort()).toEqual([
      'subgraphs/catalog/src/generated/graphql.ts',
      'subgraphs/orders/src/generated/graphql.ts',
      'subgraphs/users/src/generated/graphql.ts',
    ]);
    for (const output of outputs) {
      expect(readFileSync(new URL(output.filename, new URL('..', import.meta.url)), 'utf8')).toBe(output.content);
    }
  });
});

describe('docs/errors.md', () => {
  it('is up to date with the error registry (run `npm run docs:errors`)', () => {
    expect(readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8')).toBe(errorsDocument());
  });
});
