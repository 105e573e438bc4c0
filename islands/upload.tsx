/**
 * Island "upload": enhances the source step's file input. When a file is chosen it is sent at
 * once with `PUT /app/uploads?name=…` (streamed to the tenant's storage by the server), with a
 * progress bar from XHR upload progress and a Cancel button; once stored, the hidden `upload`
 * field gets the stored path, the file input is cleared (so the form does not send the file
 * again) and the form is submitted with its preview button. Without JavaScript the form posts
 * the file itself.
 * @module
 */
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

interface IslandData {
  url: string;
  csrf: string;
  maxBytes: number;
}

type State =
  | { phase: "idle" }
  | { phase: "uploading"; name: string; loaded: number; total: number }
  | { phase: "done"; name: string }
  | { phase: "error"; message: string };

const size = (n: number) =>
  n < 1024 * 1024
    ? `${Math.max(1, Math.round(n / 1024))} KB`
    : `${(n / 1024 / 1024).toFixed(1)} MB`;

/** The server's sentence from a refused upload, or one of ours. */
function refusal(xhr: XMLHttpRequest): string {
  try {
    const body = JSON.parse(xhr.responseText);
    if (typeof body.error === "string") return body.error;
  } catch {
    // Not JSON: a page (expired form, role too low).
  }
  if (xhr.status === 403) return "The upload was refused: reload the page and sign in again.";
  return `The upload did not work (the server answered ${xhr.status}); try again.`;
}

function Upload(props: { data: IslandData; input: HTMLInputElement; hidden: HTMLInputElement }) {
  const [state, setState] = useState<State>({ phase: "idle" });
  const xhr = useRef<XMLHttpRequest | null>(null);

  useEffect(() => {
    const { input, hidden, data } = props;
    const onChange = () => {
      const file = input.files?.[0];
      if (!file) return;
      const accepted = input.accept.split(",").filter(Boolean);
      const ext = file.name.slice(file.name.lastIndexOf(".")).toLowerCase();
      if (accepted.length > 0 && !accepted.includes(ext)) {
        setState({
          phase: "error",
          message: `"${file.name}" is not a file this type of data reads; choose a ${
            accepted.join(", ")
          } file, or change the type of data above.`,
        });
        input.value = "";
        return;
      }
      if (file.size > data.maxBytes) {
        setState({
          phase: "error",
          message: `"${file.name}" is ${size(file.size)}; files of up to ${
            size(data.maxBytes)
          } can be uploaded. Split it and try again.`,
        });
        input.value = "";
        return;
      }
      const req = new XMLHttpRequest();
      xhr.current = req;
      req.open("PUT", `${data.url}?name=${encodeURIComponent(file.name)}`);
      req.setRequestHeader("X-CSRF-Token", data.csrf);
      req.setRequestHeader("Content-Type", file.type || "application/octet-stream");
      req.upload.onprogress = (e) =>
        setState({ phase: "uploading", name: file.name, loaded: e.loaded, total: e.total });
      req.onload = () => {
        xhr.current = null;
        if (req.status !== 201) {
          setState({ phase: "error", message: refusal(req) });
          input.value = "";
          return;
        }
        const stored = JSON.parse(req.responseText) as { path: string; name: string };
        hidden.value = stored.path;
        input.value = "";
        setState({ phase: "done", name: stored.name });
        const form = input.form;
        const preview = form?.querySelector<HTMLButtonElement>(
          'button[name="action"][value="preview"]',
        );
        if (form) form.requestSubmit(preview ?? undefined);
      };
      req.onerror = () => {
        xhr.current = null;
        setState({
          phase: "error",
          message: "The upload was interrupted: check your connection and try again.",
        });
      };
      req.onabort = () => {
        xhr.current = null;
        input.value = "";
        setState({ phase: "idle" });
      };
      setState({ phase: "uploading", name: file.name, loaded: 0, total: file.size });
      req.send(file);
    };
    input.addEventListener("change", onChange);
    // From here a chosen file uploads at once (browser tests wait for this mark).
    input.dataset.ready = "true";
    return () => input.removeEventListener("change", onChange);
  }, []);

  if (state.phase === "idle") return null;
  if (state.phase === "error") {
    return <p class="error" role="alert">{state.message}</p>;
  }
  if (state.phase === "done") {
    return <p class="help" role="status">Uploaded {state.name}. Reading the first rows…</p>;
  }
  const percent = state.total > 0 ? Math.floor((state.loaded / state.total) * 100) : 0;
  return (
    <div class="upload-progress">
      <label for="upload-progress-bar">
        Uploading {state.name}: {percent}% ({size(state.loaded)} of {size(state.total)})
      </label>
      <progress id="upload-progress-bar" max={100} value={percent}>{percent}%</progress>
      <button type="button" class="link" onClick={() => xhr.current?.abort()}>Cancel</button>
    </div>
  );
}

const root = document.querySelector<HTMLElement>("[data-island='upload']");
const block = document.getElementById("upload-data");
const input = root?.querySelector<HTMLInputElement>('input[type="file"]');
const hidden = root?.querySelector<HTMLInputElement>('input[name="upload"]');
const status = root?.querySelector<HTMLElement>(".upload-status");
if (root && block && input && hidden && status) {
  const data = JSON.parse(block.textContent ?? "{}") as IslandData;
  render(<Upload data={data} input={input} hidden={hidden} />, status);
}
