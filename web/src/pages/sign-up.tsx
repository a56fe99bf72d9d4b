import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { describeError } from '../api/client.ts';
import { AuthScreen } from '../components/layout.tsx';
import { useStore } from '../stores/index.tsx';
import { safeNext } from './sign-in.tsx';

const MIN_PASSWORD = 8;

export default function SignUpPage() {
  const { session } = useStore();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = createSignal<string>();

  async function submit(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    setError(undefined);
    try {
      await session.signUp(String(form.get('name')), String(form.get('email')), String(form.get('password')));
      navigate(safeNext(params.next), { replace: true });
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <AuthScreen
      title="Create your account"
      footer={
        <>
          Already have an account?{' '}
          <A href={`/sign-in${params.next ? `?next=${encodeURIComponent(safeNext(params.next))}` : ''}`}>
            Sign in
          </A>
        </>
      }
    >
      <form class="field" style={{ gap: '10px' }} onSubmit={submit}>
        <label class="field">
          <span>Name</span>
          <input name="name" autocomplete="name" required autofocus />
        </label>
        <label class="field">
          <span>Email</span>
          <input name="email" type="email" autocomplete="email" required />
        </label>
        <label class="field">
          <span>Password</span>
          <input
            name="password"
            type="password"
            autocomplete="new-password"
            minLength={MIN_PASSWORD}
            required
          />
          <span class="hint">At least {MIN_PASSWORD} characters.</span>
        </label>
        <Show when={error()}>
          <p class="alert error" role="alert">
            {error()}
          </p>
        </Show>
        <button type="submit" class="primary" disabled={session.busy()}>
          Create account
        </button>
      </form>
    </AuthScreen>
  );
}
