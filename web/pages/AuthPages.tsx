/**
 * Sign-in, sign-up and invite pages: plain forms that work without JavaScript.
 * @module
 */
import type { ComponentChildren } from "preact";
import { Layout } from "../../components/Layout.tsx";
import { Alert, Field } from "../../components/ui.tsx";

/** The narrow card every page here is: its title as the heading, a lead line, a notice, an error. */
function AuthCard(
  props: {
    title: string;
    lead: string;
    notice?: string;
    error?: string;
    children: ComponentChildren;
  },
) {
  return (
    <Layout title={props.title}>
      <div class="narrow card">
        <h1>{props.title}</h1>
        <p class="lead">{props.lead}</p>
        {props.notice && <Alert kind="ok">{props.notice}</Alert>}
        {props.error && <Alert kind="error">{props.error}</Alert>}
        {props.children}
      </div>
    </Layout>
  );
}

/** The sign-in email and a new password of at least 12 characters (accounts/password.ts). */
function NewAccountFields(props: { email?: string; passwordHelp: string }) {
  return (
    <>
      <Field
        label="Your email"
        name="email"
        type="email"
        autocomplete="username"
        required
        value={props.email}
      />
      <Field
        label="Password"
        name="password"
        type="password"
        autocomplete="new-password"
        required
        minLength={12}
        help={props.passwordHelp}
      />
    </>
  );
}

/** Sign-in form; `error` is the sentence of a failed attempt, `email` what was typed. */
export function SignInPage(
  props: { error?: string; email?: string; next?: string; notice?: string },
) {
  return (
    <AuthCard
      title="Sign in"
      lead="Your organisation's pipelines, runs and reports."
      notice={props.notice}
      error={props.error}
    >
      <form
        method="post"
        action={`/signin${props.next ? `?next=${encodeURIComponent(props.next)}` : ""}`}
      >
        <Field
          label="Email"
          name="email"
          type="email"
          autocomplete="username"
          required
          value={props.email}
        />
        <Field
          label="Password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
        />
        <div class="form-actions">
          <button type="submit">Sign in</button>
          <a href="/signup">Create an account for your organisation</a>
        </div>
      </form>
    </AuthCard>
  );
}

/** Sign-up form: the organisation and its first owner. */
export function SignUpPage(props: { error?: string; organisation?: string; email?: string }) {
  return (
    <AuthCard
      title="Create an account"
      lead="One account per organisation; you can invite your colleagues afterwards."
      error={props.error}
    >
      <form method="post" action="/signup">
        <Field
          label="Organisation"
          name="organisation"
          required
          value={props.organisation}
          help="The clinic or practice, as your colleagues know it"
        />
        <NewAccountFields
          email={props.email}
          passwordHelp="At least 12 characters; a few unrelated words work well"
        />
        <div class="form-actions">
          <button type="submit">Create account</button>
          <a href="/signin">I already have an account</a>
        </div>
      </form>
    </AuthCard>
  );
}

/** The page an invite link opens: choose an email and a password to join. */
export function InvitePage(props: { token: string; error?: string; email?: string }) {
  return (
    <AuthCard
      title="Join your organisation"
      lead="You were invited to PyxGen Portal. Choose how you will sign in."
      error={props.error}
    >
      <form method="post" action={`/auth/invite/${encodeURIComponent(props.token)}`}>
        <NewAccountFields email={props.email} passwordHelp="At least 12 characters" />
        <div class="form-actions">
          <button type="submit">Join</button>
        </div>
      </form>
    </AuthCard>
  );
}
