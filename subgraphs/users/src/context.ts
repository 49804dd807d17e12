import type { Viewer } from '@shop/auth';
import type { AccessTokenConfig, PasswordResetConfig } from '@shop/config';
import type { UsersPrisma } from './data/client.js';
import type { UsersLoaders } from './data/loaders.js';
import type { LoginLimiter, PasswordResetLimiter, RegistrationLimiter } from './services/throttles.js';

/** What the account services need beyond the database, created once at start. */
export interface AccountSettings {
  tokens: AccessTokenConfig;
  loginLimiter: LoginLimiter;
  registrationLimiter: RegistrationLimiter;
  passwordReset: PasswordResetConfig;
  passwordResetLimiter: PasswordResetLimiter;
}

export interface Context {
  viewer: Viewer;
  /** The caller's address as the gateway saw it (for sign-in and registration rate limits). */
  clientIp: string | null;
  prisma: UsersPrisma;
  loaders: UsersLoaders;
  accounts: AccountSettings;
  /** Set by register, login and refresh: the account the caller has just proved to be. */
  signedInUserId?: string;
}
