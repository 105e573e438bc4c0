/**
 * Small building blocks shared by the pages: labelled fields with help and errors, alerts, the
 * hidden CSRF field, status badges and a page heading.
 * @module
 */
import type { ComponentChildren, InputHTMLAttributes } from "preact";

/** A labelled input; `error` shows beside it and marks it invalid for screen readers. */
export function Field(
  props: {
    label: string;
    name: string;
    help?: string;
    error?: string;
  } & InputHTMLAttributes<HTMLInputElement>,
) {
  const { label, help, error, ...input } = props;
  const id = input.id ?? `f-${props.name}`;
  const described = [help && `${id}-help`, error && `${id}-error`].filter(Boolean).join(" ");
  return (
    <div class={`field${error ? " invalid" : ""}`}>
      <label for={id}>{label}</label>
      <input
        type="text"
        {...input}
        id={id}
        aria-invalid={error ? "true" : undefined}
        aria-describedby={described || undefined}
      />
      {help && <p class="help" id={`${id}-help`}>{help}</p>}
      {error && <p class="error" id={`${id}-error`} role="alert">{error}</p>}
    </div>
  );
}

/** A message box: `error` for what went wrong, `ok` for what worked, `info` otherwise. */
export function Alert(props: { kind?: "error" | "ok" | "info"; children: ComponentChildren }) {
  const kind = props.kind ?? "info";
  return (
    <div class={`alert alert-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {props.children}
    </div>
  );
}

/** The hidden field every state-changing form carries. */
export function Csrf(props: { token?: string }) {
  return <input type="hidden" name="_csrf" value={props.token ?? ""} />;
}

/** A run status as a coloured badge with its word (never colour alone). */
export function StatusBadge(props: { status: string }) {
  return <span class={`badge badge-${props.status}`}>{props.status}</span>;
}

/** The page's heading with an optional line under it and actions on the right. */
export function PageHead(
  props: { title: string; lead?: ComponentChildren; actions?: ComponentChildren },
) {
  return (
    <div class="page-head">
      <div>
        <h1>{props.title}</h1>
        {props.lead && <p class="lead">{props.lead}</p>}
      </div>
      {props.actions && <div class="actions">{props.actions}</div>}
    </div>
  );
}
