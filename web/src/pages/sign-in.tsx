import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { AuthScreen } from '../components/layout.tsx';
import { useStore } from '../stores/index.tsx';

/** Only same-app paths are followed after sign-in (no open redirect through ?next=). */
export function safeNext(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  return value?.startsWith('/') && !value.startsWith('//') ? value : '/';
}

export default function SignInPage() {
  const { session } = useStore();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = createSignal<string>();

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setError(undefined);
    try {
      await session.signIn(String(form.get('email')), String(form.get('password')));
      navigate(safeNext(params.next), { replace: true });
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <AuthScreen
      title="Sign in"
      footer={
        <>
          New to Atrium?{' '}
          <A href={`/sign-up${params.next ? `?next=${encodeURIComponent(safeNext(params.next))}` : ''}`}>
            Create an account
          </A>
        </>
      }
    >
      <form class="field" style={{ gap: '10px' }} onSubmit={submit}>
        <label class="field">
          <span>Email</span>
          <input name="email" type="email" autocomplete="email" required autofocus />
        </label>
        <label class="field">
          <span>Password</span>
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        <Show when={error()}>
          <p class="alert error" role="alert">
            {error()}
          </p>
        </Show>
        <button type="submit" class="primary" disabled={session.busy()}>
          Sign in
        </button>
      </form>
    </AuthScreen>
  );
}
