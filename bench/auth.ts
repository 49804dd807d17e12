// npm run bench:auth — how long one login takes through the gateway (argon2id included),
// and that an unknown email costs the same. Embedded databases, in-process counters.
import { performance } from 'node:perf_hooks';
import { signedInUser, startTestSupergraph } from '@shop/testing';
import { TEST_PASSWORD, userBuilders } from '@shop/users/testing';

const ROUNDS = 40;
const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }';
const ME = 'query { me { id } }';

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function time(label: string, run: () => Promise<unknown>) {
  const samples: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((sum, sample) => sum + sample, 0) / samples.length;
  console.log(`${label.padEnd(38)} mean ${mean.toFixed(1).padStart(6)} ms   p50 ${percentile(samples, 50).toFixed(1).padStart(6)} ms   p99 ${percentile(samples, 99).toFixed(1).padStart(6)} ms`);
  return mean;
}

const supergraph = await startTestSupergraph('pglite', { loginRateLimit: { maxFailuresPerAccount: 1_000_000, maxFailuresPerClient: 1_000_000 } });
try {
  const user = await userBuilders(supergraph.users.prisma).user();
  const session = await signedInUser(supergraph);
  const login = (email: string, password: string) => supergraph.request({ query: LOGIN, variables: { input: { email, password } } });
  console.log(`${ROUNDS} sequential requests each, through the gateway over HTTP (${process.platform}, Node ${process.version})`);
  const valid = await time('login, right password', () => login(user.email, TEST_PASSWORD));
  const wrong = await time('login, wrong password', () => login(user.email, 'not-the-password'));
  const unknown = await time('login, unknown email', () => login('nobody@example.test', 'not-the-password'));
  await time('me with a bearer token (cached check)', () => supergraph.request({ query: ME, headers: session.headers }));
  console.log(`unknown email / wrong password time ratio: ${(unknown / wrong).toFixed(2)}; right / wrong: ${(valid / wrong).toFixed(2)}`);
} finally {
  await supergraph.stop();
}
