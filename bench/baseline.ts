// Another commit's code beside this one, for `npm run bench` to run its subgraphs side by side
// with the working tree's: `git archive <commit>` into /tmp/shop-bench-baseline-<commit>
// (reused when present) with its own dependencies installed from its own lockfile (`npm ci`,
// which links its workspace packages and generates its Prisma clients offline).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const git = (...args: string[]) => execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim();

/** Resolves `ref` to a commit and returns the folder its code runs from, building it when missing. */
export function prepareBaseline(ref: string): { commit: string; root: string } {
  const commit = git('rev-parse', '--short', `${ref}^{commit}`);
  const root = path.join(tmpdir(), `shop-bench-baseline-${commit}`);
  const done = path.join(root, '.bench-ready');
  if (existsSync(done)) return { commit, root };
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C '${root}'`], { cwd: repoRoot, stdio: 'inherit' });

  // Its own packages, as its lockfile pinned them: linking this checkout's instead would miss
  // what today's code no longer uses (graphql-shield, dropped since) and run other versions.
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
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
