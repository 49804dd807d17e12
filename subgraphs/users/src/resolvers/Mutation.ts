import type { MutationResolvers } from '../generated/graphql.js';
import { addAddress, removeAddress, setDefaultAddress, updateAddress } from '../services/addresses.js';
import { issueApiKey, revokeKey, setKeyCostBudget } from '../services/api-keys.js';
import { requestPasswordReset, resetPassword } from '../services/password-reset.js';
import { changePassword, login, logout, refresh, register } from '../services/sessions.js';
import { deactivateUser, deleteAccount, deleteUser, reactivateUser, setUserRole, updateProfile } from '../services/users.js';

export const Mutation: MutationResolvers = {
  register: (_parent, { input }, ctx) => register(ctx, input),
  login: (_parent, { input }, ctx) => login(ctx, input),
  refreshToken: (_parent, { refreshToken }, ctx) => refresh(ctx, refreshToken),
  logout: (_parent, { refreshToken }, ctx) => logout(ctx, refreshToken),
  updateProfile: (_parent, { input }, ctx) => updateProfile(ctx, input),
  changePassword: (_parent, args, ctx) => changePassword(ctx, args),
  deleteAccount: (_parent, { password }, ctx) => deleteAccount(ctx, password),
  requestPasswordReset: (_parent, { email }, ctx) => requestPasswordReset(ctx, email),
  resetPassword: (_parent, args, ctx) => resetPassword(ctx, args),
  addAddress: (_parent, { input, isDefault }, ctx) => addAddress(ctx, input, isDefault),
  updateAddress: (_parent, { id, input }, ctx) => updateAddress(ctx, id, input),
  removeAddress: (_parent, { id }, ctx) => removeAddress(ctx, id),
  setDefaultAddress: (_parent, { id }, ctx) => setDefaultAddress(ctx, id),
  setUserRole: (_parent, { id, role }, ctx) => setUserRole(ctx, id, role),
  deactivateUser: (_parent, { id }, ctx) => deactivateUser(ctx, id),
  reactivateUser: (_parent, { id }, ctx) => reactivateUser(ctx, id),
  deleteUser: (_parent, { id }, ctx) => deleteUser(ctx, id),
  createApiKey: (_parent, { input }, ctx) => issueApiKey(ctx, input),
  revokeApiKey: (_parent, { id }, ctx) => revokeKey(ctx, id),
  setApiKeyCostBudget: (_parent, { id, costBudget }, ctx) => setKeyCostBudget(ctx, id, costBudget),
};
