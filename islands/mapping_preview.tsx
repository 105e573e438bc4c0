/**
 * Island "mapping_preview": keeps the transformation step's preview live. When a select or
 * value of a mapping changes, the form is posted again in the background (`action=preview`,
 * header `X-Wizard-Preview: 1`) and the server's freshly rendered preview replaces the old one,
 * without a page reload. Choosing another preset submits the form (the columns are filled in
 * again). Without this script the page still works: "Update the preview" posts the form.
 * @module
 */

const form = document.querySelector<HTMLFormElement>("form[data-island='mapping-preview']");

if (form) {
  document.documentElement.classList.add("js");
  const csrf = form.querySelector<HTMLInputElement>("input[name='_csrf']")?.value ?? "";
  let sequence = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const refresh = async (kind: string) => {
    const target = form.querySelector<HTMLElement>(`[data-preview-for='${kind}']`);
    const status = form.querySelector<HTMLElement>(`[data-preview-status='${kind}']`);
    if (!target) return;
    const mine = ++sequence;
    const body = new URLSearchParams();
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string") body.append(name, value);
    }
    body.set("action", "preview");
    body.set("kind", kind);
    target.setAttribute("aria-busy", "true");
    try {
      // Not `form.action`: the buttons named "action" shadow that property.
      const res = await fetch(form.getAttribute("action") || location.href, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-CSRF-Token": csrf,
          "X-Wizard-Preview": "1",
        },
        body,
        credentials: "same-origin",
      });
      const text = await res.text();
      // A slower answer to an earlier change must not overwrite a newer one.
      if (mine !== sequence) return;
      if (!res.ok) {
        if (status) status.textContent = "The preview could not be updated; reload the page.";
        return;
      }
      // The server renders (and escapes) this fragment; it holds no script.
      target.innerHTML = text;
      if (status) {
        // Seen: a short note. Heard (screen readers): the new count as well.
        const heard = document.createElement("span");
        heard.className = "visually-hidden";
        heard.textContent = target.querySelector(".preview-summary")?.textContent ?? "";
        status.replaceChildren("Preview updated. ", heard);
      }
    } catch {
      if (mine === sequence && status) {
        status.textContent = "The preview could not be updated; check your connection.";
      }
    } finally {
      if (mine === sequence) target.removeAttribute("aria-busy");
    }
  };

  const schedule = (event: Event, delay: number) => {
    const el = event.target as HTMLElement;
    const panel = el.closest<HTMLElement>("[data-preview-kind]");
    if (!panel) return;
    const kind = panel.dataset.previewKind!;
    clearTimeout(timer);
    timer = setTimeout(() => refresh(kind), delay);
  };

  form.addEventListener("change", (event) => {
    const el = event.target as HTMLInputElement;
    const action = el.dataset.autosubmit;
    if (action) {
      const button = form.querySelector<HTMLButtonElement>(
        `button[name='action'][value='${action}']`,
      );
      if (button) form.requestSubmit(button);
      return;
    }
    schedule(event, 50);
  });
  // Typing in a value map's text box: wait for a pause.
  form.addEventListener("input", (event) => {
    if ((event.target as HTMLElement).matches("input[type='text']")) schedule(event, 500);
  });
}
