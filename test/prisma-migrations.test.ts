import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { subgraphNames } from '@shop/config';

const repoRoot = new URL('..', import.meta.url).pathname;

describe('Prisma migrations', () => {
  // Every service with a database of its own: the subgraphs and the notifications worker.
  it.each([...subgraphNames, 'notifications'])('prisma/%s/migrations match schema.prisma (scripts/migrate-dev.ts --check)', (name) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/migrate-dev.ts', name, 'drift_check', '--check'], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`no schema changes for ${name}`);
  });
});
