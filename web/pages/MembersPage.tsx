/**
 * The owners' Members page (role changes, remove, invite with the link shown once), the page
 * that confirms a removal, and the tabs and the secret shown once shared with the API tokens page.
 * @module
 */
import type { ComponentChildren } from "preact";
import { Layout } from "../../components/Layout.tsx";
import { Alert, Csrf, PageHead } from "../../components/ui.tsx";
import { formatTime } from "../../components/run_text.ts";
import type { Role, User } from "../../accounts/store.ts";
import type { Principal } from "../../routes/deps.ts";

/** What each role may do, in words. */
export const ROLE_TEXT: Record<Role, string> = {
  owner: "Owner: everything, including members and API tokens",
  editor: "Editor: pipelines, connections and runs",
  viewer: "Viewer: sees runs and reports, changes nothing",
};

const ROLES: Role[] = ["owner", "editor", "viewer"];

/** Tabs between the Members and API tokens pages. */
export function AccountTabs(props: { current: "members" | "tokens" }) {
  const tabs = [
    { id: "members", href: "/app/members", label: "Members" },
    { id: "tokens", href: "/app/tokens", label: "API tokens" },
  ];
  return (
    <nav class="tabs" aria-label="Members and tokens">
      {tabs.map((t) => (
        <a href={t.href} aria-current={props.current === t.id ? "page" : undefined}>{t.label}</a>
      ))}
    </nav>
  );
}

/**
 * A secret shown this once (an invite link, an API token): what it is in `children`, then the
 * secret in a read-only box labelled `label`, ready to copy.
 */
export function ShownOnce(
  props: { id: string; label: string; value: string; children: ComponentChildren },
) {
  return (
    <div class="alert alert-ok secret-once" role="status">
      <p>{props.children}</p>
      <label for={props.id}>{props.label}</label>
      <input id={props.id} type="text" readOnly value={props.value} class="mono" />
    </div>
  );
}

/** A select of the three roles with a visible or hidden label; `short` shows only their names. */
export function RoleSelect(
  props: { id: string; label: string; value: Role; hideLabel?: boolean; short?: boolean },
) {
  return (
    <>
      <label for={props.id} class={props.hideLabel ? "visually-hidden" : undefined}>
        {props.label}
      </label>
      <select id={props.id} name="role">
        {ROLES.map((r) => (
          <option key={r} value={r} selected={r === props.value}>
            {props.short ? ROLE_TEXT[r].replace(/:.*/, "") : ROLE_TEXT[r]}
          </option>
        ))}
      </select>
    </>
  );
}

/** What the Members page shows. */
export interface MembersPageProps {
  principal: Principal;
  members: User[];
  notice?: string;
  error?: string;
  /** An invite just made: its link, shown this once. */
  invite?: { url: string; role: Role; expiresAt: string };
}

/** The Members page. */
export function MembersPage(props: MembersPageProps) {
  const csrf = props.principal.csrf;
  return (
    <Layout title="Members" principal={props.principal} active="members">
      <PageHead
        title="Members"
        lead="Who can sign in to your organisation, and what they may do."
      />
      <AccountTabs current="members" />
      <ul class="role-legend" aria-label="What each role may do">
        {ROLES.map((r) => <li key={r}>{ROLE_TEXT[r]}</li>)}
      </ul>
      {props.notice && <Alert kind="ok">{props.notice}</Alert>}
      {props.error && <Alert kind="error">{props.error}</Alert>}
      {props.invite && (
        <ShownOnce id="invite-link" label="Invite link" value={props.invite.url}>
          <strong>Invite link for a new {props.invite.role}.</strong>{" "}
          Send it to your colleague; it works once, until{" "}
          {formatTime(props.invite.expiresAt)}. This is the only time it is shown.
        </ShownOnce>
      )}
      <div class="table-wrap">
        <table class="stack">
          <thead>
            <tr>
              <th scope="col">Member</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              <th scope="col">
                <span class="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.members.map((m) => (
              <tr>
                <td data-label="Member">
                  {m.email}
                  {m.id === props.principal.userId && <span class="help-inline">(you)</span>}
                </td>
                <td data-label="Role">
                  <form method="post" action={`/app/members/${m.id}/role`} class="inline-form">
                    <Csrf token={csrf} />
                    <RoleSelect
                      id={`role-${m.id}`}
                      label={`Role of ${m.email}`}
                      value={m.role}
                      hideLabel
                      short
                    />
                    <button type="submit" class="secondary small">Change role</button>
                  </form>
                </td>
                <td class="nowrap" data-label="Joined">
                  {formatTime(m.createdAt).replace(/,.*/, "")}
                </td>
                <td>
                  <a href={`/app/members/${m.id}/remove`}>Remove</a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <section class="card invite" aria-labelledby="invite-title">
        <h2 id="invite-title">Invite a member</h2>
        <p class="help">
          You get a link to send to your colleague. They choose their own password when they open
          it.
        </p>
        <form method="post" action="/app/members/invite" class="inline-form">
          <Csrf token={csrf} />
          <div class="field">
            <RoleSelect id="invite-role" label="Their role" value="editor" />
          </div>
          <button type="submit">Create invite link</button>
        </form>
      </section>
    </Layout>
  );
}

/** "Remove this member?" with Remove and Cancel. */
export function RemoveMemberPage(props: { principal: Principal; member: User }) {
  const m = props.member;
  return (
    <Layout title="Remove a member" principal={props.principal} active="members">
      <div class="narrow card">
        <h1>Remove {m.email}?</h1>
        <p>
          They are signed out everywhere at once and can no longer open anything of your
          organisation. Their pipelines and runs stay. You can invite them again later.
        </p>
        <form method="post" action={`/app/members/${m.id}/remove`} class="form-actions">
          <Csrf token={props.principal.csrf} />
          <button type="submit" class="danger">Remove {m.email}</button>
          <a href="/app/members">Keep them</a>
        </form>
      </div>
    </Layout>
  );
}
