/**
 * The answer of "Test connection", shown next to the form that asked: a green sentence when it
 * worked, the readable error otherwise (a first sentence, then each problem on its own line).
 * @module
 */
import { sentence } from "./schema_fields.ts";

/** What a connection test answered (etl/connections.ts ConnectionAnswer). */
export interface Answer {
  ok: boolean;
  message: string;
}

/** The answer as an alert; `id` lets a form scroll to it after posting. */
export function ConnectionAnswer(props: { answer: Answer; id?: string }) {
  const [first, ...rest] = props.answer.message.split("\n");
  const problems = rest.map((l) => l.replace(/^- /, "")).filter((l) => l.trim() !== "");
  return (
    <div
      id={props.id}
      class={`alert alert-${props.answer.ok ? "ok" : "error"} answer`}
      role={props.answer.ok ? "status" : "alert"}
    >
      <p class="answer-title">
        <strong>{props.answer.ok ? "Connection works." : "Could not connect."}</strong>{" "}
        {sentence(first)}
      </p>
      {problems.length > 0 && <ul>{problems.map((p) => <li key={p}>{sentence(p)}</li>)}</ul>}
    </div>
  );
}
