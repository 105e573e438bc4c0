/**
 * Pages under /app/connections (editors and owners): the list, a new connection (what to
 * connect to, then its name and settings), editing one (secrets write-only: an empty box keeps
 * the saved one), Test connection with the answer on the page, and delete after a confirmation
 * page. The work is done by connections/mod.ts, as the JSON API does it (routes/api_connections.ts),
 * and audited the same way (`auditConnection`). Another tenant's connection is the 404 page.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { configFromForm } from "../components/SchemaForm.tsx";
import { lastValue, type PostedForm } from "../components/schema_form_read.ts";
import {
  connectionEntry,
  type ConnectionKind,
  type ConnectionRecord,
  createConnection,
  deleteConnection,
  getConnection,
  listConnections,
  maskedConnection,
  updateConnection,
} from "../connections/mod.ts";
import { ConfigError } from "../etl/errors.ts";
import { auditConnection, ConnectionId, testConnectionAudited } from "../routes/api_connections.ts";
import type { AppDeps } from "../routes/deps.ts";
import { VaultError } from "../vault/errors.ts";
import type { Vault } from "../vault/vault.ts";
import { html, type PageEnv, pageRole } from "./page.ts";
import { MessagePage } from "./pages/MessagePage.tsx";
import {
  ConnectionDeletePage,
  ConnectionFormPage,
  ConnectionListPage,
  connectionOmit,
  ConnectionTypePage,
} from "./pages/ConnectionPages.tsx";
import { refusedPage } from "./refused.tsx";

type Ctx = Context<PageEnv>;

/** A ConfigError's problems, or its sentence when it lists none. */
const problemsOf = (err: ConfigError) => err.problems.length > 0 ? err.problems : [err.message];

/** The routes, mounted at `/app`. */
export function connectionsPages(deps: AppDeps): Hono<PageEnv> {
  const pages = new Hono<PageEnv>();
  const kv = deps.engine.kv;
  // Mounted at /app: middleware only on our own paths, never "*" (it would cover every page).
  const guard = pageRole("editor", refusedPage);
  pages.use("/connections", guard);
  pages.use("/connections/*", guard);
  pages.use("/connections/*", async (c, next) => {
    if (deps.vault) return await next();
    return html(
      c,
      <MessagePage
        title="Connections are not available"
        message="Saved connections need the server's credential vault (MASTER_KEY); ask the operator to configure it."
        principal={c.get("principal")}
      />,
      500,
    );
  });

  const vault = (): Vault => deps.vault!;
  const notFound = (c: Ctx) =>
    html(
      c,
      <MessagePage
        title="Not found"
        message="There is no such connection in your organisation. It may have been deleted."
        principal={c.get("principal")}
      />,
      404,
    );
  const found = async (c: Ctx): Promise<ConnectionRecord | undefined> => {
    const id = ConnectionId.safeParse(c.req.param("id"));
    return id.success ? await getConnection(kv, c.get("tenant"), id.data) : undefined;
  };

  pages.get("/connections", async (c) => {
    const list = await listConnections(kv, c.get("tenant"));
    const notice = c.req.query("deleted") !== undefined ? "The connection was deleted." : undefined;
    return html(
      c,
      <ConnectionListPage
        principal={c.get("principal")}
        connections={list.map(maskedConnection)}
        notice={notice}
      />,
    );
  });

  /** `source:mysql` → kind and type, when such a connection can be saved. */
  const pick = (raw: string) => {
    const [kind, type] = raw.split(":");
    if (kind !== "source" && kind !== "repository") return undefined;
    const entry = connectionEntry(kind, type ?? "");
    return entry && { kind: kind as ConnectionKind, type, entry };
  };

  pages.get("/connections/new", (c) => {
    const chosen = pick(c.req.query("for") ?? "");
    const principal = c.get("principal");
    if (!chosen) {
      const error = c.req.query("for") !== undefined ? "Choose what to connect to." : undefined;
      return html(c, <ConnectionTypePage principal={principal} error={error} />);
    }
    return html(
      c,
      <ConnectionFormPage principal={principal} {...chosen} name="" values={{}} />,
    );
  });

  pages.post("/connections/new", async (c) => {
    const form = await c.req.parseBody() as PostedForm;
    const chosen = pick(`${lastValue(form, "kind")}:${lastValue(form, "type")}`);
    if (!chosen) return html(c, <ConnectionTypePage principal={c.get("principal")} />, 400);
    const omit = connectionOmit(chosen.kind, chosen.type);
    const typed = configFromForm(chosen.entry, form, { omit });
    const name = lastValue(form, "name").trim();
    const again = (problems: string[]) =>
      html(
        c,
        <ConnectionFormPage
          principal={c.get("principal")}
          {...chosen}
          name={name}
          values={typed.echo}
          problems={problems}
        />,
        400,
      );
    if (typed.problems.length > 0) return again(typed.problems);
    try {
      const record = await createConnection(
        kv,
        vault(),
        c.get("tenant"),
        { name, kind: chosen.kind, type: chosen.type, config: typed.config },
        c.get("principal").label,
      );
      await auditConnection(kv, c, "connection.created", record, { kind: record.kind });
      return c.redirect(`/app/connections/${record.id}?saved`, 303);
    } catch (err) {
      if (err instanceof ConfigError) return again(problemsOf(err));
      // The vault could not seal the secret: a server-side problem whose message is safe.
      if (err instanceof VaultError) return again([err.message]);
      throw err;
    }
  });

  const editPage = (
    c: Ctx,
    record: ConnectionRecord,
    extra: { problems?: string[]; values?: Record<string, unknown>; name?: string } & {
      answer?: { ok: boolean; message: string };
      notice?: string;
    } = {},
    status: 200 | 400 = 200,
  ) => {
    const entry = connectionEntry(record.kind, record.type);
    if (!entry) return notFound(c);
    const masked = maskedConnection(record);
    return html(
      c,
      <ConnectionFormPage
        principal={c.get("principal")}
        kind={record.kind}
        type={record.type}
        entry={entry}
        record={record}
        name={extra.name ?? record.name}
        values={extra.values ?? masked.config}
        problems={extra.problems}
        answer={extra.answer}
        notice={extra.notice}
      />,
      status,
    );
  };

  pages.get("/connections/:id", async (c) => {
    const record = await found(c);
    if (!record) return notFound(c);
    const notice = c.req.query("saved") !== undefined
      ? "Saved. Use Test connection to check that it works."
      : undefined;
    return editPage(c, record, { notice });
  });

  pages.post("/connections/:id", async (c) => {
    const record = await found(c);
    const entry = record && connectionEntry(record.kind, record.type);
    if (!record || !entry) return notFound(c);
    const form = await c.req.parseBody() as PostedForm;
    const omit = connectionOmit(record.kind, record.type);
    const typed = configFromForm(entry, form, { omit });
    const name = lastValue(form, "name").trim();
    // Settings this form does not show (set through the API) are kept as they are.
    const kept = Object.fromEntries(
      Object.entries(record.config).filter(([k]) => omit.includes(k)),
    );
    const echo = { ...maskedConnection(record).config, ...typed.echo };
    if (typed.problems.length > 0) {
      return editPage(c, record, { problems: typed.problems, values: echo, name }, 400);
    }
    let saved = record;
    try {
      const updated = await updateConnection(kv, vault(), c.get("tenant"), record.id, {
        name,
        config: { ...kept, ...typed.config },
      });
      if (!updated) return notFound(c);
      saved = updated.connection;
      if (updated.changed.length > 0) {
        await auditConnection(kv, c, "connection.updated", saved, {
          changed: updated.changed.join(", "),
        });
      }
    } catch (err) {
      if (err instanceof ConfigError || err instanceof VaultError) {
        const problems = err instanceof ConfigError ? problemsOf(err) : [err.message];
        return editPage(c, record, { problems, values: echo, name }, 400);
      }
      throw err;
    }
    if (lastValue(form, "action") !== "test") {
      return c.redirect(`/app/connections/${record.id}?saved`, 303);
    }
    return editPage(c, saved, { answer: await testConnectionAudited(deps, c, saved) });
  });

  pages.get("/connections/:id/delete", async (c) => {
    const record = await found(c);
    if (!record) return notFound(c);
    return html(c, <ConnectionDeletePage principal={c.get("principal")} record={record} />);
  });

  pages.post("/connections/:id/delete", async (c) => {
    const record = await found(c);
    const deleted = record && await deleteConnection(kv, c.get("tenant"), record.id);
    if (!deleted) return notFound(c);
    await auditConnection(kv, c, "connection.deleted", deleted);
    return c.redirect("/app/connections?deleted", 303);
  });

  return pages;
}
