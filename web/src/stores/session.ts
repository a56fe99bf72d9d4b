import { createResource, createSignal } from 'solid-js';
import { auth } from '../api/auth.ts';
import { ApiError } from '../api/client.ts';
import { orgs } from '../api/orgs.ts';
import type { ActiveOrg, Me, Role } from '../api/types.ts';
import { ROLES } from '../api/types.ts';

/** Mirrors the server's policy ladder for showing/hiding controls; the server still decides. */
export const atLeast = (role: Role | null | undefined, min: Role): boolean =>
  !!role && ROLES.indexOf(role) >= ROLES.indexOf(min);

async function loadMe(): Promise<Me | null> {
  try {
    return await auth.me();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}

/** Who is signed in and which organization they act in. */
export function createSession() {
  const [me, { refetch, mutate }] = createResource(loadMe);
  const [busy, setBusy] = createSignal(false);

  const activeOrg = (): ActiveOrg | undefined => me()?.activeOrg ?? undefined;

  async function run<T>(action: () => Promise<T>): Promise<T> {
    setBusy(true);
    try {
      const result = await action();
      await refetch();
      return result;
    } finally {
      setBusy(false);
    }
  }

  return {
    me,
    busy,
    /** Undefined while the first /api/me is in flight; then true or false. */
    signedIn: (): boolean | undefined => (me.loading && me() === undefined ? undefined : !!me()),
    activeOrg,
    /** The effective role in the active organization (a token's is capped by its ceiling). */
    role: (): Role | null => activeOrg()?.role ?? null,
    can: (min: Role) => atLeast(activeOrg()?.role, min),
    refresh: () => refetch(),
    signIn: (email: string, password: string) => run(() => auth.signIn({ email, password })),
    signUp: (name: string, email: string, password: string) =>
      run(() => auth.signUp({ name, email, password })),
    async signOut() {
      await auth.signOut();
      mutate(null);
    },
    switchOrg: (orgId: string) => run(() => orgs.activate(orgId)),
    createOrg: (name: string) =>
      run(async () => {
        const created = await orgs.create(name);
        await orgs.activate(created.id);
        return created;
      }),
  };
}

export type Session = ReturnType<typeof createSession>;
