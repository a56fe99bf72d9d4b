import { api } from './client.ts';
import type { Me } from './types.ts';

/** Better Auth's paths, kept whatever library serves them (issue 3). */
export const auth = {
  signUp: (input: { name: string; email: string; password: string }) =>
    api.post<unknown>('/api/auth/sign-up/email', input),
  signIn: (input: { email: string; password: string }) => api.post<unknown>('/api/auth/sign-in/email', input),
  signOut: () => api.post<unknown>('/api/auth/sign-out'),
  me: () => api.get<Me>('/api/me'),
};
