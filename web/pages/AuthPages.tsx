/**
 * Sign-in, sign-up and invite pages: plain forms that work without JavaScript.
 * @module
 */
import { Layout } from "../../components/Layout.tsx";
import { Alert, Field } from "../../components/ui.tsx";

/** Sign-in form; `error` is the sentence of a failed attempt, `email` what was typed. */
export function SignInPage(
  props: { error?: string; email?: string; next?: string; notice?: string },
) {
  return (
    <Layout title="Sign in">
      <div class="narrow card">
        <h1>Sign in</h1>
        <p class="lead">Your organisation's pipelines, runs and reports.</p>
        {props.notice && <Alert kind="ok">{props.notice}</Alert>}
        {props.error && <Alert kind="error">{props.error}</Alert>}
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
      </div>
    </Layout>
  );
}

/** Sign-up form: the organisation and its first owner. */
export function SignUpPage(props: { error?: string; organisation?: string; email?: string }) {
  return (
    <Layout title="Create an account">
      <div class="narrow card">
        <h1>Create an account</h1>
        <p class="lead">One account per organisation; you can invite your colleagues afterwards.</p>
        {props.error && <Alert kind="error">{props.error}</Alert>}
        <form method="post" action="/signup">
          <Field
            label="Organisation"
            name="organisation"
            required
            value={props.organisation}
            help="The clinic or practice, as your colleagues know it"
          />
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
            help="At least 12 characters; a few unrelated words work well"
          />
          <div class="form-actions">
            <button type="submit">Create account</button>
            <a href="/signin">I already have an account</a>
          </div>
        </form>
      </div>
    </Layout>
  );
}

/** The page an invite link opens: choose an email and a password to join. */
export function InvitePage(props: { token: string; error?: string; email?: string }) {
  return (
    <Layout title="Join your organisation">
      <div class="narrow card">
        <h1>Join your organisation</h1>
        <p class="lead">You were invited to PyxGen Portal. Choose how you will sign in.</p>
        {props.error && <Alert kind="error">{props.error}</Alert>}
        <form method="post" action={`/auth/invite/${encodeURIComponent(props.token)}`}>
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
            help="At least 12 characters"
          />
          <div class="form-actions">
            <button type="submit">Join</button>
          </div>
        </form>
      </div>
    </Layout>
  );
}
