// The npm workspaces of the repository, read from the root package.json (scripts/build.ts,
// the image test).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export interface Manifest {
  name: string;
  exports?: Record<string, string>;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}

export const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(path.join(repositoryRoot, dir, 'package.json'), 'utf8'));

/** Every workspace directory (relative to the root), by package name. */
export function workspaces(): Map<string, string> {
  const dirs = (readManifest('.').workspaces as string[]).flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(path.join(repositoryRoot, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(path.join(repositoryRoot, parent, entry.name, 'package.json')))
      .map((entry) => `${parent}/${entry.name}`);
  });
  return new Map(dirs.map((dir) => [readManifest(dir).name, dir]));
}
