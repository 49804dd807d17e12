// Another commit's code beside this one, for `npm run bench` to run its subgraphs side by side
// with the working tree's: `git archive <commit>` into /tmp/shop-bench-baseline-<commit>
// (reused when present), this checkout's installed packages linked in, its own workspace
// packages (@shop/*) linked to its own folders, and its own Prisma clients generated offline.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();

/** Workspace folders of a checkout: its package.json's globs, one level deep as this repository writes them. */
function workspaceFolders(root: string): string[] {
  const { workspaces } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return existsSync(path.join(root, pattern, 'package.json')) ? [pattern] : [];
    const parent = pattern.slice(0, -2);
    if (!existsSync(path.join(root, parent))) return [];
    return readdirSync(path.join(root, parent))
      .map((entry) => `${parent}/${entry}`)
      .filter((folder) => existsSync(path.join(root, folder, 'package.json')));
  });
}

/** Resolves `ref` to a commit and returns the folder its code runs from, building it when missing. */
export function prepareBaseline(ref: string): { commit: string; root: string } {
  const commit = git('rev-parse', '--short', `${ref}^{commit}`);
  const root = path.join(tmpdir(), `shop-bench-baseline-${commit}`);
  const done = path.join(root, '.bench-ready');
  if (existsSync(done)) return { commit, root };
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C '${root}'`], { cwd: repoRoot, stdio: 'inherit' });

  // The installed packages, but @shop/*: those are the baseline's own folders.
  const modules = path.join(root, 'node_modules');
  mkdirSync(path.join(modules, '@shop'), { recursive: true });
  for (const entry of readdirSync(path.join(repoRoot, 'node_modules'))) {
    if (entry !== '@shop') symlinkSync(path.join(repoRoot, 'node_modules', entry), path.join(modules, entry));
  }
  for (const folder of workspaceFolders(root)) {
    const { name } = JSON.parse(readFileSync(path.join(root, folder, 'package.json'), 'utf8')) as { name: string };
    if (name.startsWith('@shop/')) symlinkSync(path.join(root, folder), path.join(modules, name));
    // Packages npm installed inside a workspace (versions the root could not hoist).
    const nested = path.join(repoRoot, folder, 'node_modules');
    if (existsSync(nested) && !existsSync(path.join(root, folder, 'node_modules'))) symlinkSync(nested, path.join(root, folder, 'node_modules'));
  }
  execFileSync(process.execPath, ['scripts/prisma-generate.mjs'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  writeFileSync(done, `${commit}\n`);
  return { commit, root };
}

/** True when the working tree's services and shared packages are the commit's code: today ÷ baseline then measures only the run's noise. */
export function sameServiceCode(commit: string): boolean {
  try {
    execFileSync('git', ['diff', '--quiet', commit, '--', 'subgraphs', 'packages', 'prisma'], { cwd: repoRoot });
    return true;
  } catch {
    return false;
  }
}
