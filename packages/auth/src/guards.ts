import { AppError, ErrorCode } from '@shop/errors';
import type { Viewer } from './viewer.js';

type SignedInUser = Extract<Viewer, { kind: 'user' }>;

export function requireUser(viewer: Viewer): SignedInUser {
  if (viewer.kind === 'user') return viewer;
  if (viewer.kind === 'partner') throw new AppError(ErrorCode.FORBIDDEN, 'This operation needs a user account');
  throw new AppError(ErrorCode.UNAUTHENTICATED, 'Sign in to do this');
}

const refusalMessages = {
  [ErrorCode.UNAUTHENTICATED]: 'Sign in to do this',
  [ErrorCode.FORBIDDEN]: 'You are not allowed to do this',
} as const;

export const refusal = (code: keyof typeof refusalMessages, detail?: string) =>
  new AppError(code, detail ? `${refusalMessages[code]}: ${detail}` : refusalMessages[code]);
