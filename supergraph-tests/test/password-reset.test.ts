import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TEST_PASSWORD, userBuilders, type UserBuilders } from '@shop/users/testing';
import {
  contractOperation,
  errorCodes,
  signIn,
  startMailbox,
  startTestSupergraph,
  TEST_CREDENTIAL_CACHE_MS,
  testBackends,
  withinCredentialCache,
  type Mailbox,
  type TestSupergraph,
} from '../src/index.js';

const RequestPasswordReset = contractOperation('frontend', 'RequestPasswordReset');
const ResetPassword = contractOperation('frontend', 'ResetPassword');
const Login = contractOperation('frontend', 'Login');
const RefreshToken = contractOperation('frontend', 'RefreshToken');
const ME = 'query { me { id } }';

/** What production allows per client address; each case but the client limit's asks from an address of its own. */
const MAX_PER_CLIENT = 10;
const MAX_PER_EMAIL = 3;
/** requestPasswordReset's answer floor (services/password-reset.ts). */
const ANSWER_FLOOR_MS = 200;

let lastAddress = 0;
const newClient = () => `198.51.100.${(lastAddress += 1)}`;


/** The token in a reset email. */
const tokenIn = (mail: string) => {
  const token = /Your reset token: (pr_[\w-]+)/.exec(mail)?.[1];
  if (!token) throw new Error(`no reset token in:\n${mail}`);
  return token;
};

// Both event paths: the users outbox through NATS JetStream on PostgreSQL (with TEST_NATS_URL),
// through its HTTP feed on PGlite (docs/adr/0035).
describe.each(testBackends())('password reset through the gateway and the notifications worker (%s)', (backend) => {
  let supergraph: TestSupergraph;
  let mailbox: Mailbox;
  let build: UserBuilders;

  beforeAll(async () => {
    supergraph = await startTestSupergraph(backend, {
      credentialCacheMs: TEST_CREDENTIAL_CACHE_MS,
      trustProxy: true,
      passwordReset: { maxPerClient: MAX_PER_CLIENT, maxPerEmail: MAX_PER_EMAIL },
    });
    mailbox = await startMailbox(supergraph);
    build = userBuilders(supergraph.users.prisma);
  });
  afterAll(async () => {
    await mailbox?.stop();
    await supergraph?.stop();
  });

  const requestReset = (email: string, client = newClient()) =>
    supergraph.request<{ requestPasswordReset: boolean }>({ query: RequestPasswordReset, variables: { email }, headers: { 'x-forwarded-for': client } });
  const resetPassword = (token: string, newPassword: string) =>
    supergraph.request<{ resetPassword: boolean }>({ query: ResetPassword, variables: { token, newPassword }, headers: { 'x-forwarded-for': newClient() } });
  const login = (email: string, password: string) =>
    supergraph.request<{ login: { accessToken: string } }>({ query: Login, variables: { input: { email, password } }, headers: { 'x-forwarded-for': newClient() } });
  /** Asks for a reset and waits for its email (the account's `count`-th): the token in it. */
  const tokenFor = async (email: string, count = 1) => {
    expect((await requestReset(email)).data).toEqual({ requestPasswordReset: true });
    const mails = await mailbox.waitForMails(email, count);
    expect(mails).toHaveLength(count);
    return tokenIn(mails.at(-1)!);
  };

  it('emails a one-time token that sets a new password and signs every session out; the events carry no token', async () => {
    const user = await build.user({ firstName: 'Rosa' });
    const laptop = await signIn(supergraph, user.email);
    const phone = await signIn(supergraph, user.email);

    const token = await tokenFor(user.email);
    const [mail] = await mailbox.mailsTo(user.email);
    expect(mail).toMatch(/^Subject: Reset your password$/m);
    expect(mail).toContain('Hello Rosa,');
    // Only the token's hash is kept, and nothing that went through the stream or a feed holds it.
    const request = await supergraph.users.prisma.passwordResetRequest.findFirstOrThrow({ where: { userId: user.id } });
    expect(request.tokenHash).toMatch(/^[0-9a-f]{64}$/);
    expect(request.tokenHash).not.toContain(token);
    const events = await supergraph.users.prisma.outboxEvent.findMany({ where: { aggregateId: user.id } });
    expect(events.map((event) => [event.topic, event.payload])).toEqual([['password_reset.requested', { userId: user.id, resetRequestId: request.id }]]);

    const reset = await resetPassword(token, 'a passphrase from the email');
    expect(reset.errors).toBeUndefined();
    expect(reset.data).toEqual({ resetPassword: true });

    for (const session of [laptop, phone]) {
      expect(errorCodes(await supergraph.request({ query: RefreshToken, variables: { refreshToken: session.refreshToken } }))).toEqual(['UNAUTHENTICATED']);
    }
    await withinCredentialCache(async () => {
      const me = await supergraph.request({ query: ME, headers: laptop.headers });
      expect(errorCodes(me)).toEqual(['UNAUTHENTICATED']);
    });
    expect(errorCodes(await login(user.email, TEST_PASSWORD))).toEqual(['UNAUTHENTICATED']);
    expect((await login(user.email, 'a passphrase from the email')).errors).toBeUndefined();
  });

  it('answers an unknown email as a known one, after the same floor of time, and emails no one', async () => {
    const known = await build.user();
    const unknown = `nobody-${Math.random().toString(36).slice(2)}@example.test`;
    const timed = async (email: string) => {
      const started = performance.now();
      const response = await requestReset(email);
      return { response, ms: performance.now() - started };
    };
    const toUnknown = await timed(unknown);
    const toKnown = await timed(known.email);
    expect({ status: toUnknown.response.status, data: toUnknown.response.data, errors: toUnknown.response.errors }).toEqual({
      status: toKnown.response.status,
      data: toKnown.response.data,
      errors: toKnown.response.errors,
    });
    expect(toUnknown.response.data).toEqual({ requestPasswordReset: true });
    // Neither answers before the floor: the few milliseconds a known account's request takes to write stay hidden.
    expect(toUnknown.ms).toBeGreaterThanOrEqual(ANSWER_FLOOR_MS);
    expect(toKnown.ms).toBeGreaterThanOrEqual(ANSWER_FLOOR_MS);

    // Events are handled in order: once the known account's email is there, the unknown one's would have been.
    expect(await mailbox.waitForMails(known.email, 1)).toHaveLength(1);
    expect(await mailbox.mailsTo(unknown)).toEqual([]);
  });

  it('refuses an expired token with INVALID_RESET_TOKEN, changing nothing', async () => {
    const user = await build.user();
    const session = await signIn(supergraph, user.email);
    const token = await tokenFor(user.email);
    // Thirty minutes later.
    await supergraph.users.prisma.passwordResetRequest.updateMany({ where: { userId: user.id }, data: { expiresAt: new Date(Date.now() - 1_000) } });

    const expired = await resetPassword(token, 'too late for this one');
    expect(errorCodes(expired)).toEqual(['INVALID_RESET_TOKEN']);
    expect(expired.status).toBe(400);
    expect((await supergraph.request({ query: RefreshToken, variables: { refreshToken: session.refreshToken } })).errors).toBeUndefined();
    expect((await login(user.email, TEST_PASSWORD)).errors).toBeUndefined();
  });

  it('takes a token once: used again it is INVALID_RESET_TOKEN, as an unknown one is', async () => {
    const user = await build.user();
    const token = await tokenFor(user.email);
    expect((await resetPassword(token, 'the first new passphrase')).data).toEqual({ resetPassword: true });
    const reused = await resetPassword(token, 'the second new passphrase');
    expect(errorCodes(reused)).toEqual(['INVALID_RESET_TOKEN']);
    const unknown = await resetPassword(`pr_${'x'.repeat(43)}`, 'the second new passphrase');
    expect(unknown.errors).toEqual(reused.errors);
    expect((await login(user.email, 'the first new passphrase')).errors).toBeUndefined();
    expect(errorCodes(await login(user.email, 'the second new passphrase'))).toEqual(['UNAUTHENTICATED']);
  });

  it('lets exactly one of two concurrent resets with one token through', async () => {
    const user = await build.user();
    const token = await tokenFor(user.email);
    const passwords = ['concurrent passphrase one', 'concurrent passphrase two'];
    const answers = await Promise.all(passwords.map((password) => resetPassword(token, password)));
    const won = answers.map((answer) => answer.data?.resetPassword === true);
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(errorCodes(answers[won.indexOf(false)]!)).toEqual(['INVALID_RESET_TOKEN']);
    expect((await login(user.email, passwords[won.indexOf(true)]!)).errors).toBeUndefined();
    expect(errorCodes(await login(user.email, passwords[won.indexOf(false)]!))).toEqual(['UNAUTHENTICATED']);
  });

  it('voids an earlier token once a newer one is asked for', async () => {
    const user = await build.user();
    const first = await tokenFor(user.email, 1);
    const second = await tokenFor(user.email, 2);
    expect(errorCodes(await resetPassword(first, 'from the older email'))).toEqual(['INVALID_RESET_TOKEN']);
    expect((await resetPassword(second, 'from the newer email')).data).toEqual({ resetPassword: true });
  });

  it('holds the new password to the rules of registration, using no token', async () => {
    const user = await build.user();
    const token = await tokenFor(user.email);
    const tooShort = await resetPassword(token, 'short');
    expect(errorCodes(tooShort)).toEqual(['BAD_USER_INPUT']);
    expect(tooShort.errors![0]!.extensions!.field).toBe('newPassword');
    expect((await resetPassword(token, 'long enough after all')).data).toEqual({ resetPassword: true });
  });

  it(`limits requests to ${MAX_PER_EMAIL} per email, known or not, and ${MAX_PER_CLIENT} per client (RATE_LIMITED)`, async () => {
    for (const email of [(await build.user()).email, `nobody-${Math.random().toString(36).slice(2)}@example.test`]) {
      for (let request = 0; request < MAX_PER_EMAIL; request += 1) expect((await requestReset(email)).data).toEqual({ requestPasswordReset: true });
      const refused = await requestReset(email);
      expect(errorCodes(refused)).toEqual(['RATE_LIMITED']);
      expect(refused.status).toBe(429);
      expect(refused.errors![0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
    }

    const client = newClient();
    for (let request = 0; request < MAX_PER_CLIENT; request += 1) {
      expect((await requestReset(`someone-${request}-${Math.random().toString(36).slice(2)}@example.test`, client)).data).toEqual({ requestPasswordReset: true });
    }
    expect(errorCodes(await requestReset((await build.user()).email, client))).toEqual(['RATE_LIMITED']);
  });
});
