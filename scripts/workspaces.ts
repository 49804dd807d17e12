// The npm workspaces of the repository, read from the root package.json (scripts/build.ts,
// the image test, the bench).
import { existsSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repositoryRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export interface Manifest {
  name: string;
  exports?: Record<string, string>;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}

export const readManifest = (dir: string, root = repositoryRoot): Manifest => JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8'));

/** Every workspace directory (relative to the root), by package name; of another checkout when given its root. */
export function workspaces(root = repositoryRoot): Map<string, string> {
  const dirs = (readManifest('.', root).workspaces as string[]).flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(path.join(root, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(path.join(root, parent, entry.name, 'package.json')))
      .map((entry) => `${parent}/${entry.name}`);
  });
  return new Map(dirs.map((dir) => [readManifest(dir, root).name, dir]));
}

/**
 * Runs a checkout's dist/ in place as the image runs it: the image's last stage lays the
 * compiled code over the production install, so a workspace's own node_modules (a version
 * that differs from the hoisted one) sits beside its code. Here a link stands for it.
 */
export function linkWorkspaceModules(root = repositoryRoot): void {
  const buildDir = path.join(root, 'dist');
  for (const dir of workspaces(root).values()) {
    const nested = path.join(root, dir, 'node_modules');
    if (existsSync(nested) && existsSync(path.join(buildDir, dir)) && !existsSync(path.join(buildDir, dir, 'node_modules'))) {
      symlinkSync(nested, path.join(buildDir, dir, 'node_modules'));
    }
  }
}
