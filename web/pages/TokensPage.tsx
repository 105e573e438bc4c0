/**
 * The owners' API tokens page: the tokens (name, first characters, role, made, last used) with
 * Revoke, and a form that makes one and shows it this once.
 * @module
 */
import { Layout } from "../../components/Layout.tsx";
import { Alert, Csrf, Field, PageHead } from "../../components/ui.tsx";
import { formatTime } from "../../components/run_text.ts";
import type { Role } from "../../accounts/store.ts";
import type { Principal } from "../../routes/deps.ts";
import type { ApiTokenInfo } from "../../routes/api_tokens.ts";
import { AccountTabs, ROLE_TEXT, RoleSelect, ShownOnce } from "./MembersPage.tsx";

/** What the tokens page shows. */
export interface TokensPageProps {
  principal: Principal;
  tokens: ApiTokenInfo[];
  notice?: string;
  /** A token just made: shown this once. */
  created?: { name: string; token: string; role: Role };
  /** The create form's values and the sentence that says what was wrong with the name. */
  form?: { name: string; role: Role; error?: string };
}

/** The API tokens page. */
export function TokensPage(props: TokensPageProps) {
  const csrf = props.principal.csrf;
  return (
    <Layout title="API tokens" principal={props.principal} active="members">
      <PageHead
        title="API tokens"
        lead="Let other systems start runs and read results through the API, without a password."
      />
      <AccountTabs current="tokens" />
      {props.notice && <Alert kind="ok">{props.notice}</Alert>}
      {props.created && (
        <ShownOnce id="new-token" label="The token" value={props.created.token}>
          <strong>Token "{props.created.name}" was created.</strong>{" "}
          Copy it now into the system that will use it: this is the only time it is shown.
        </ShownOnce>
      )}
      {props.tokens.length === 0 ? <p class="card">No API tokens yet.</p> : (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Starts with</th>
                <th scope="col">May do</th>
                <th scope="col">Created</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="visually-hidden">Revoke</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.tokens.map((t) => (
                <tr>
                  <td data-label="Name">{t.name}</td>
                  <td class="mono" data-label="Starts with">{t.prefix}…</td>
                  <td data-label="May do">{ROLE_TEXT[t.role ?? "editor"].replace(/:.*/, "")}</td>
                  <td data-label="Created">{formatTime(t.createdAt)}</td>
                  <td data-label="Last used">
                    {t.lastUsedAt ? formatTime(t.lastUsedAt) : "never"}
                  </td>
                  <td>
                    <form method="post" action={`/app/tokens/${t.id}/revoke`}>
                      <Csrf token={csrf} />
                      <button type="submit" class="danger small" aria-label={`Revoke ${t.name}`}>
                        Revoke
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section class="card" aria-labelledby="new-token-title">
        <h2 id="new-token-title">Create a token</h2>
        <form method="post" action="/app/tokens">
          <Csrf token={csrf} />
          <Field
            label="Name"
            name="name"
            type="text"
            required
            maxLength={100}
            value={props.form?.name ?? ""}
            help='What it is for, so you recognise it later, e.g. "nightly export".'
            error={props.form?.error}
          />
          <div class="field">
            <RoleSelect
              id="token-role"
              label="What it may do"
              value={props.form?.role ?? "editor"}
            />
          </div>
          <button type="submit">Create token</button>
        </form>
      </section>
    </Layout>
  );
}
