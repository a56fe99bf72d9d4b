import { A, useNavigate, useParams } from '@solidjs/router';
import { createSignal, Match, Show, Switch } from 'solid-js';
import { describeError, requestIdOf } from '../api/client.ts';
import { invitations } from '../api/orgs.ts';
import { AuthScreen } from '../components/layout.tsx';
import { useStore } from '../stores/index.tsx';

/** Landing page of a one-time invitation link: sign in (or up) as the invited email, then accept. */
export default function InvitePage() {
  const params = useParams<{ token: string }>();
  const { session, toasts } = useStore();
  const navigate = useNavigate();
  const [error, setError] = createSignal<string>();
  const [accepting, setAccepting] = createSignal(false);
  const here = () => encodeURIComponent(`/invite/${params.token}`);

  async function accept() {
    setAccepting(true);
    setError(undefined);
    try {
      const answer = await invitations.accept(params.token);
      const { activeOrg } = answer;
      await session.refresh();
      toasts.success(`You joined ${activeOrg.name} as ${activeOrg.role}`, requestIdOf(answer));
      navigate('/', { replace: true });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setAccepting(false);
    }
  }

  return (
    <AuthScreen title="Join an organization">
      <Switch fallback={<p class="muted">Loading…</p>}>
        <Match when={session.signedIn() === false}>
          <p class="muted">
            You were invited to an Atrium organization. Create an account or sign in with the invited email,
            then accept.
          </p>
          <div class="row">
            <A class="btn primary" href={`/sign-up?next=${here()}`}>
              Create account
            </A>
            <A class="btn" href={`/sign-in?next=${here()}`}>
              Sign in
            </A>
          </div>
        </Match>
        <Match when={session.signedIn()}>
          <p class="muted">
            Signed in as <strong>{session.me()?.user.email}</strong>. The invitation only works for the email
            it was sent to.
          </p>
          <Show when={error()}>
            <p class="alert error" role="alert">
              {error()}
            </p>
          </Show>
          <div class="row">
            <button type="button" class="primary" disabled={accepting()} onClick={accept}>
              Accept invitation
            </button>
            <button type="button" onClick={() => session.signOut()}>
              Use another account
            </button>
          </div>
        </Match>
      </Switch>
    </AuthScreen>
  );
}
