// CPU profiles of bench server processes: the agent they load, where it writes, and a profile's
// self time by function and by module. Shared by bench:profile (subgraphs) and bench:cache-hits
// (the gateway's hit path).
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** NODE_OPTIONS for a server to profile: the first SIGUSR2 starts the profiler, the next writes the profile. */
export const profilerNodeOptions = `--import ${fileURLToPath(new URL('./cpu-profile-agent.mjs', import.meta.url))}`;

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: CallFrame }>;
  samples: number[];
  timeDeltas: number[];
}

/**
 * The profile process `pid` wrote on its second SIGUSR2; undefined if none came within 10 s.
 * Removed once read, after a copy to `keepAs` when given (a `.cpuprofile` file DevTools opens,
 * for the call tree that self times leave out).
 */
export async function takeProfile(pid: number, keepAs?: string): Promise<CpuProfile | undefined> {
  const file = join(tmpdir(), `bench-profile-${pid}.cpuprofile`);
  for (let waited = 0; !existsSync(file) && waited < 10_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  if (!existsSync(file)) return undefined;
  // Written at once, but read only once whole: a second wait after it appears.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  // Copied, not renamed: `keepAs` may be on another file system than the temporary directory.
  if (keepAs) copyFileSync(file, keepAs);
  rmSync(file);
  return profile;
}

/** `node_modules/graphql`, `packages/auth`, `node:internal/...`: where a function lives, at the grain worth comparing. */
function moduleOf(url: string): string {
  if (!url) return '(native or VM)';
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const dependency = /.*node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency) return `node_modules/${dependency[1]}`;
  const ours = /\/((?:packages|subgraphs|gateway)\/[^/]+)\//.exec(url);
  return ours ? ours[1]! : url;
}

/** Self time in µs by function and by module, idle left out. */
export function selfTimes(profile: CpuProfile) {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const byFunction = new Map<string, number>();
  const byModule = new Map<string, number>();
  let total = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    // A sample's time is the gap to the next one.
    const delta = profile.timeDeltas[index + 1] ?? 0;
    const frame = frames.get(profile.samples[index]!)!;
    if (frame.functionName === '(idle)') continue;
    const where = frame.url ? `${frame.url.replace(/^file:\/\/.*?\/(node_modules|packages|subgraphs|gateway)\//, '$1/')}:${frame.lineNumber + 1}` : '';
    const key = `${frame.functionName || '(anonymous)'} ${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + delta);
    const module = moduleOf(frame.url);
    byModule.set(module, (byModule.get(module) ?? 0) + delta);
    total += delta;
  }
  return { byFunction, byModule, total };
}

/** The `count` largest entries of `times`, each as `per(micros)` and its key, one line each. */
export function topLines(times: Map<string, number>, count: number, per: (micros: number) => string): string {
  return [...times]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([key, micros]) => `    ${per(micros).padStart(9)}  ${key}`)
    .join('\n');
}
