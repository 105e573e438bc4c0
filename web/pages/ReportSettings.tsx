/**
 * The owners' form on the tenant report page: below which count numbers are hidden.
 * @module
 */
import type { ComponentChildren } from "preact";
import { MAX_SUPPRESS_BELOW } from "../../analytics/settings.ts";
import { Field } from "../../components/ui.tsx";

/** The threshold form; `error` shows beside the field. */
export function ThresholdForm(
  props: { value: string; error?: string; csrf: ComponentChildren },
) {
  return (
    <form method="post" action="/app/report/settings" class="inline-form threshold-form">
      {props.csrf}
      <Field
        label="Hide counts below"
        name="suppressBelow"
        type="number"
        min={1}
        max={MAX_SUPPRESS_BELOW}
        step={1}
        required
        value={props.value}
        error={props.error}
        help={`A whole number from 1 to ${MAX_SUPPRESS_BELOW}. 5 is usual; 11 is common for public reports; 1 hides nothing.`}
      />
      <button type="submit" class="secondary">Save threshold</button>
    </form>
  );
}
