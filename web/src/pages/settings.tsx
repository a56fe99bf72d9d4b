import { A, useParams } from '@solidjs/router';
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { describeError, requestIdOf } from '../api/client.ts';
import { orgs } from '../api/orgs.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { useStore } from '../stores/index.tsx';
import { InvitationsPanel, MembersPanel } from './members.tsx';
import TokensPanel from './tokens.tsx';

const TABS = [
  { id: 'members', label: 'Members' },
  { id: 'invitations', label: 'Invitations' },
  { id: 'tokens', label: 'API tokens' },
  { id: 'organization', label: 'Organization' },
] as const;

function NewOrganization() {
  const { session, toasts } = useStore();
  const [error, setError] = createSignal<string>();
  async function create(e: SubmitEvent) {
    e.preventDefault();
    const formEl = e.currentTarget as HTMLFormElement;
    const name = String(new FormData(formEl).get('name')).trim();
    setError(undefined);
    try {
      const created = await session.createOrg(name);
      formEl.reset();
      toasts.success(`Organization “${name}” created; you are its owner`, requestIdOf(created));
    } catch (err) {
      setError(describeError(err));
    }
  }
  return (
    <div class="card section">
      <h2>New organization</h2>
      <form class="row" onSubmit={create} aria-label="New organization">
        <label class="field grow">
          <span>Name</span>
          <input name="name" required maxLength={100} placeholder="Acme Analytics" />
        </label>
        <button type="submit" class="primary" style={{ 'align-self': 'flex-end' }} disabled={session.busy()}>
          Create organization
        </button>
      </form>
      <Show when={error()}>
        <p class="alert error">{error()}</p>
      </Show>
    </div>
  );
}

function OrganizationPanel() {
  const { session, toasts } = useStore();
  const [error, setError] = createSignal<string>();
  async function rename(e: SubmitEvent) {
    e.preventDefault();
    const org = session.activeOrg();
    if (!org) return;
    const name = String(new FormData(e.currentTarget as HTMLFormElement).get('name')).trim();
    setError(undefined);
    try {
      const renamed = await orgs.rename(org.id, name);
      await session.refresh();
      toasts.success('Organization renamed', requestIdOf(renamed));
    } catch (err) {
      setError(describeError(err));
    }
  }
  return (
    <Show when={session.activeOrg()}>
      {(org) => (
        <div class="card section">
          <h2>Current organization</h2>
          <form class="row" onSubmit={rename} aria-label="Rename organization">
            <label class="field grow">
              <span>Name</span>
              <input
                name="name"
                required
                maxLength={100}
                value={org().name}
                disabled={!session.can('admin')}
              />
            </label>
            <Show when={session.can('admin')}>
              <button type="submit" style={{ 'align-self': 'flex-end' }}>
                Rename
              </button>
            </Show>
          </form>
          <Show when={error()}>
            <p class="alert error">{error()}</p>
          </Show>
          <Show when={session.can('owner')}>
            <div class="row">
              <span class="grow muted">
                Deleting the organization removes its connections, documents and tokens.
              </span>
              <ConfirmButton
                class="danger"
                label="Delete organization"
                title={`Delete ${org().name}?`}
                message="This cannot be undone."
                onConfirm={async () => {
                  try {
                    const answer = await orgs.remove(org().id);
                    await session.refresh();
                    toasts.success('Organization deleted', requestIdOf(answer));
                  } catch (err) {
                    toasts.error(err);
                  }
                }}
              />
            </div>
          </Show>
        </div>
      )}
    </Show>
  );
}

export default function SettingsPage() {
  const params = useParams<{ tab?: string }>();
  const { session } = useStore();
  const tab = () => params.tab ?? 'members';
  return (
    <div class="page">
      <div class="page-head">
        <h1>Settings</h1>
        <span class="muted">
          {session.activeOrg()?.name} · your role: <span class="badge">{session.role() ?? 'none'}</span>
        </span>
      </div>
      <nav class="tabs" aria-label="Settings sections">
        <For each={TABS}>
          {(t) => (
            <A href={`/settings/${t.id}`} classList={{ active: tab() === t.id }}>
              {t.label}
            </A>
          )}
        </For>
      </nav>
      <Switch fallback={<p class="muted">Unknown section.</p>}>
        <Match when={tab() === 'members'}>
          <MembersPanel />
        </Match>
        <Match when={tab() === 'invitations'}>
          <InvitationsPanel />
        </Match>
        <Match when={tab() === 'tokens'}>
          <TokensPanel />
        </Match>
        <Match when={tab() === 'organization'}>
          <OrganizationPanel />
          <NewOrganization />
        </Match>
      </Switch>
    </div>
  );
}
