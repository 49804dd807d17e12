import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TEST_PASSWORD, userBuilders, type UserBuilders } from '@shop/users/testing';
import { contractOperation, errorCodes, sharedRedis, startTestSupergraph, oneTestBackend, type GraphQLResponse, type TestSupergraph } from '../src/index.js';

const Login = contractOperation('frontend', 'Login');
const Register = contractOperation('frontend', 'Register');

const MAX_FAILURES_PER_ACCOUNT_AND_CLIENT = 5;
const ACCOUNT_SLOWDOWN_AFTER = 8;
const ACCOUNT_MAX_DELAY_SECONDS = 2;
const REGISTRATIONS_PER_CLIENT = 3;

// Real PostgreSQL when there is one; the counters run in Redis and in process alike.
const backend = oneTestBackend();
const stores = sharedRedis ? (['redis', 'in-process'] as const) : (['in-process'] as const);

let lastAddress = 0;
/** A client address of its own (TEST-NET-3), sent as a load balancer would. */
const newClient = () => ({ 'x-forwarded-for': `203.0.113.${(lastAddress += 1)}` });

interface AuthPayload {
  accessToken: string;
  user: { id: string };
}

const count = (answers: Array<GraphQLResponse<unknown>>, code: string) => answers.filter((answer) => errorCodes(answer).includes(code)).length;
const retryAfterOf = (answer: GraphQLResponse<unknown>) => answer.errors![0]!.extensions!.retryAfterSeconds as number;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(stores)('login and registration throttling through the gateway (counters %s)', (store) => {
  let supergraph: TestSupergraph;
  let build: UserBuilders;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend, {
      trustProxy: true,
      sharedStores: store === 'redis',
      loginRateLimit: {
        maxFailuresPerAccountAndClient: MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
        maxFailuresPerClient: 100,
        windowSeconds: 900,
        accountSlowdownAfter: ACCOUNT_SLOWDOWN_AFTER,
        accountMaxDelaySeconds: ACCOUNT_MAX_DELAY_SECONDS,
      },
      registrationRateLimit: { maxPerClient: REGISTRATIONS_PER_CLIENT, windowSeconds: 3600 },
    });
    build = userBuilders(supergraph.users.prisma);
  });
  afterAll(() => supergraph?.stop());

  const login = (email: string, password: string, client: Record<string, string>) =>
    supergraph.request<{ login: AuthPayload }>({ query: Login, variables: { input: { email, password } }, headers: client });
  const register = (input: Record<string, unknown>, client: Record<string, string>) =>
    supergraph.request<{ register: AuthPayload }>({ query: Register, variables: { input }, headers: client });
  const handle = () => `probe${Math.random().toString(36).slice(2, 12)}`;
  const newRegistration = () => {
    const name = handle();
    return { email: `${name}@example.test`, username: name, password: 'a long enough password' };
  };

  it('40 parallel wrong passwords for one account from one client: at most the limit reach the password check (count RATE_LIMITED answers), and 40 parallel guesses including the right one issue no token beyond the limit', async () => {
    const target = await build.user();
    const attacker = newClient();
    const wrong = await Promise.all(Array.from({ length: 40 }, (_, guess) => login(target.email, `wrong guess ${guess}`, attacker)));
    expect(count(wrong, 'UNAUTHENTICATED')).toBe(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT);
    expect(count(wrong, 'RATE_LIMITED')).toBe(40 - MAX_FAILURES_PER_ACCOUNT_AND_CLIENT);
    expect(wrong.filter((answer) => errorCodes(answer).includes('RATE_LIMITED')).every((answer) => retryAfterOf(answer) > 0)).toBe(true);

    const another = await build.user();
    // The right password is sent last: it gets a token only if it is among the first the limit lets through.
    const guesses = Array.from({ length: 40 }, (_, guess) => (guess === 39 ? TEST_PASSWORD : `wrong guess ${guess}`));
    const race = await Promise.all(guesses.map((password) => login(another.email, password, attacker)));
    const issued = race.filter((answer) => answer.data?.login?.accessToken).length;
    expect(count(race, 'UNAUTHENTICATED')).toBeLessThanOrEqual(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT);
    expect(issued).toBeLessThanOrEqual(1);
    expect(count(race, 'RATE_LIMITED')).toBe(40 - count(race, 'UNAUTHENTICATED') - issued);
  });

  it("a stranger's failures do not lock the owner out: the owner's correct login from another address succeeds", async () => {
    const owner = await build.user({ role: 'ADMIN' });
    const stranger = newClient();
    const failures = [];
    for (let attempt = 0; attempt < MAX_FAILURES_PER_ACCOUNT_AND_CLIENT + 2; attempt += 1) failures.push(await login(owner.email, 'not the password', stranger));
    expect(count(failures, 'UNAUTHENTICATED')).toBe(MAX_FAILURES_PER_ACCOUNT_AND_CLIENT);
    expect(count(failures, 'RATE_LIMITED')).toBe(2);
    // The stranger's address stays refused, even with the right password.
    expect(errorCodes(await login(owner.email, TEST_PASSWORD, stranger))).toEqual(['RATE_LIMITED']);

    const signedIn = await login(owner.email, TEST_PASSWORD, newClient());
    expect(signedIn.errors).toBeUndefined();
    expect(signedIn.data!.login.user.id).toBe(owner.id);
  });

  it("many strangers' failures past the account's bound slow the guesses down, and never lock the owner out", async () => {
    const owner = await build.user();
    const home = newClient();
    expect((await login(owner.email, TEST_PASSWORD, home)).errors).toBeUndefined();

    // Four addresses, each below its own limit: together past the account's bound.
    const strangers = Array.from({ length: 4 }, newClient);
    const answers: Array<GraphQLResponse<unknown>> = [];
    for (let round = 0; round < 4; round += 1) {
      answers.push(...(await Promise.all(strangers.map((stranger) => login(owner.email, `guess ${round}`, stranger)))));
    }
    const slowedDown = answers.filter((answer) => errorCodes(answer).includes('RATE_LIMITED'));
    expect(count(answers, 'UNAUTHENTICATED')).toBeGreaterThanOrEqual(ACCOUNT_SLOWDOWN_AFTER);
    expect(slowedDown.length).toBeGreaterThan(0);
    // Slowed down, not locked: each refusal asks for a short wait.
    for (const answer of slowedDown) expect(retryAfterOf(answer)).toBeLessThanOrEqual(ACCOUNT_MAX_DELAY_SECONDS);

    // From an address the owner signed in from, no wait at all.
    expect((await login(owner.email, TEST_PASSWORD, home)).errors).toBeUndefined();
    // From a new address, at most the short waits the account asks for.
    const away = newClient();
    let answer = await login(owner.email, TEST_PASSWORD, away);
    for (let retry = 0; retry < 3 && errorCodes(answer).includes('RATE_LIMITED'); retry += 1) {
      expect(retryAfterOf(answer)).toBeLessThanOrEqual(ACCOUNT_MAX_DELAY_SECONDS);
      await sleep(retryAfterOf(answer) * 1000);
      answer = await login(owner.email, TEST_PASSWORD, away);
    }
    expect(answer.errors).toBeUndefined();
  });

  it('register from one client is rate limited', async () => {
    const client = newClient();
    const attempts = Array.from({ length: REGISTRATIONS_PER_CLIENT + 2 }, newRegistration);
    const answers = await Promise.all(attempts.map((input) => register(input, client)));
    expect(answers.filter((answer) => answer.data?.register?.accessToken)).toHaveLength(REGISTRATIONS_PER_CLIENT);
    expect(count(answers, 'RATE_LIMITED')).toBe(2);
    // A refused registration leaves nothing behind.
    const created = await supergraph.users.prisma.user.count({ where: { email: { in: attempts.map((input) => input.email) } } });
    expect(created).toBe(REGISTRATIONS_PER_CLIENT);

    expect((await register(newRegistration(), newClient())).errors).toBeUndefined();
  });

  it('register does not tell whether an email exists', async () => {
    const existing = await build.user();
    const prober = newClient();
    // A taken email answers exactly as a taken username does.
    const takenEmail = await register({ ...newRegistration(), email: existing.email }, prober);
    const takenUsername = await register({ ...newRegistration(), username: existing.username }, prober);
    expect(errorCodes(takenEmail)).toEqual(['CONFLICT']);
    expect(takenEmail.errors).toEqual(takenUsername.errors);
    expect(takenEmail.status).toBe(takenUsername.status);

    // Past the client's limit, a taken email and a free one get the same refusal, and nothing is created.
    await register(newRegistration(), prober);
    const free = newRegistration();
    const [pastLimitTaken, pastLimitFree] = await Promise.all([register({ ...newRegistration(), email: existing.email }, prober), register(free, prober)]);
    expect(errorCodes(pastLimitTaken)).toEqual(['RATE_LIMITED']);
    expect(errorCodes(pastLimitFree)).toEqual(['RATE_LIMITED']);
    expect(pastLimitFree.status).toBe(pastLimitTaken.status);
    expect(await supergraph.users.prisma.user.count({ where: { email: free.email } })).toBe(0);
  });
});
