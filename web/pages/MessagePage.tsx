/**
 * A page that only says something: not found, not allowed, expired form.
 * @module
 */
import { Layout } from "../../components/Layout.tsx";
import type { Principal } from "../../routes/deps.ts";

/** A titled sentence with a way back. */
export function MessagePage(props: { title: string; message: string; principal?: Principal }) {
  return (
    <Layout title={props.title} principal={props.principal}>
      <div class="narrow card">
        <h1>{props.title}</h1>
        <p>{props.message}</p>
        <p>
          <a href={props.principal ? "/app" : "/signin"}>Back to the start</a>
        </p>
      </div>
    </Layout>
  );
}
