// npm run bench:auth — how long one login takes through the gateway (argon2id included),
// and that an unknown email costs the same. Embedded databases, in-process counters.
import { signedInUser, startTestSupergraph } from '@shop/supergraph-tests';
import { TEST_PASSWORD, userBuilders } from '@shop/users/testing';
import { time as timeRounds } from './timing.js';

const ROUNDS = 40;
const LOGIN = 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }';
const ME = 'query { me { id } }';
const time = (label: string, run: () => Promise<unknown>) => timeRounds(label, ROUNDS, run);

const supergraph = await startTestSupergraph('pglite', { loginRateLimit: { maxFailuresPerAccountAndClient: 1_000_000, maxFailuresPerClient: 1_000_000, accountSlowdownAfter: 1_000_000 } });
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
