import { createResource, createSignal, For, Show } from 'solid-js';
import { describeError, requestIdOf } from '../api/client.ts';
import { orgs } from '../api/orgs.ts';
import type { CreatedInvitation, Role } from '../api/types.ts';
import { ROLES } from '../api/types.ts';
import { ConfirmButton } from '../components/confirm-button.tsx';
import { Icon } from '../components/icons.tsx';
import { formatDateTime } from '../lib/format.ts';
import { useStore } from '../stores/index.tsx';

/** Roles an actor may hand out: admins up to admin, owners any. */
const grantable = (mine: Role | null): Role[] =>
  mine === 'owner' ? [...ROLES] : mine === 'admin' ? ROLES.filter((r) => r !== 'owner') : [];

export function MembersPanel() {
  const { session, toasts } = useStore();
  const orgId = () => session.activeOrg()?.id;
  const [members, { refetch }] = createResource(orgId, async (id) => (await orgs.members(id)).members);

  async function setRole(userId: string, role: Role) {
    try {
      const answer = await orgs.setRole(orgId() as string, userId, role);
      toasts.success('Role changed', requestIdOf(answer));
    } catch (err) {
      toasts.error(err);
    }
    await refetch();
    if (userId === session.me()?.user.id) await session.refresh();
  }

  return (
    <div class="card">
      <Show when={members.error}>
        <p class="alert error" style={{ margin: '12px' }}>
          {describeError(members.error)}
        </p>
      </Show>
      <table class="grid" aria-label="Members">
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Joined</th>
            <th />
          </tr>
        </thead>
        <tbody>
          <For each={members() ?? []}>
            {(m) => (
              <tr data-testid="member-row">
                <td>{m.name}</td>
                <td class="mono">{m.email}</td>
                <td>
                  <Show
                    when={session.can('admin') && m.userId !== session.me()?.user.id}
                    fallback={<span class="badge">{m.role}</span>}
                  >
                    <select
                      aria-label={`Role of ${m.email}`}
                      value={m.role}
                      onChange={(e) => setRole(m.userId, e.currentTarget.value as Role)}
                    >
                      <For each={ROLES}>
                        {(r) => (
                          <option value={r} disabled={!grantable(session.role()).includes(r)}>
                            {r}
                          </option>
                        )}
                      </For>
                    </select>
                  </Show>
                </td>
                <td class="muted">{formatDateTime(m.joinedAt)}</td>
                <td style={{ 'text-align': 'right' }}>
                  <Show when={session.can('admin') && m.userId !== session.me()?.user.id}>
                    <ConfirmButton
                      label="Remove"
                      title={`Remove ${m.email}?`}
                      message="They lose access to this organization at once."
                      confirmLabel="Remove"
                      onConfirm={async () => {
                        try {
                          await orgs.removeMember(orgId() as string, m.userId);
                        } catch (err) {
                          toasts.error(err);
                        }
                        await refetch();
                      }}
                    />
                  </Show>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}

export function CopyField(props: { value: string; label: string; testId?: string }) {
  const [copied, setCopied] = createSignal(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(props.value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard needs a secure context or permission; the value stays selectable on screen.
    }
  }
  return (
    <div class="secret">
      <span class="sr-only">{props.label}</span>
      <code data-testid={props.testId}>{props.value}</code>
      <button type="button" class="small" onClick={copy}>
        <Icon name="copy" /> {copied() ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

export function InvitationsPanel() {
  const { session } = useStore();
  const orgId = () => session.activeOrg()?.id;
  const [list, { refetch }] = createResource(
    () => (session.can('admin') ? orgId() : undefined),
    async (id) => (await orgs.invitations(id)).invitations,
  );
  const [created, setCreated] = createSignal<CreatedInvitation | null>(null);
  const [error, setError] = createSignal<string>();

  async function invite(e: SubmitEvent) {
    e.preventDefault();
    const formEl = e.currentTarget as HTMLFormElement;
    const form = new FormData(formEl);
    setError(undefined);
    try {
      const result = await orgs.invite(orgId() as string, {
        email: String(form.get('email')).trim(),
        role: String(form.get('role')) as Role,
      });
      setCreated(result);
      formEl.reset();
      await refetch();
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <Show
      when={session.can('admin')}
      fallback={<p class="muted">Only admins and owners manage invitations.</p>}
    >
      <div class="card section">
        <form class="filters" onSubmit={invite} aria-label="Invite someone">
          <label class="field grow">
            <span>Email</span>
            <input name="email" type="email" required placeholder="colleague@example.com" />
          </label>
          <label class="field">
            <span>Role</span>
            <select name="role">
              <For each={grantable(session.role())}>{(r) => <option value={r}>{r}</option>}</For>
            </select>
          </label>
          <button type="submit" class="primary">
            Create invitation link
          </button>
        </form>
        <Show when={error()}>
          <p class="alert error" role="alert">
            {error()}
          </p>
        </Show>
        <Show when={created()}>
          {(c) => (
            <div class="field">
              <span>
                One-time link for {c().invitation.email} — shown only now. Send it yourself; Atrium sends no
                mail.
              </span>
              <CopyField value={c().url} label="Invitation link" testId="invite-link" />
            </div>
          )}
        </Show>
      </div>
      <div class="card">
        <table class="grid" aria-label="Invitations">
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th>Status</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            <For
              each={list() ?? []}
              fallback={
                <tr>
                  <td colSpan={5} class="muted">
                    No pending invitations: invite someone by email above.
                  </td>
                </tr>
              }
            >
              {(inv) => (
                <tr>
                  <td class="mono">{inv.email}</td>
                  <td>
                    <span class="badge">{inv.role}</span>
                  </td>
                  <td>{inv.status}</td>
                  <td class="muted">{formatDateTime(inv.expiresAt)}</td>
                  <td style={{ 'text-align': 'right' }}>
                    <Show when={inv.status === 'pending'}>
                      <ConfirmButton
                        label="Revoke"
                        title={`Revoke the invitation for ${inv.email}?`}
                        message="The link stops working."
                        confirmLabel="Revoke"
                        onConfirm={async () => {
                          await orgs.revokeInvitation(orgId() as string, inv.id);
                          await refetch();
                        }}
                      />
                    </Show>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}

export default MembersPanel;
