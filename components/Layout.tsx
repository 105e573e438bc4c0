/**
 * The page shell: head, skip link, the top bar with the tenant's navigation (owners also see
 * Members and Audit), the main column and the footer. Islands are loaded as module scripts from
 * `/static/build/` (the CSP allows no inline script); their data travels in JSON blocks.
 * @module
 */
import type { ComponentChildren } from "preact";
import type { Principal } from "../routes/deps.ts";

/** What every page gives the layout. */
export interface LayoutProps {
  title: string;
  /** The signed-in member; missing on sign-in and sign-up pages. */
  principal?: Principal;
  /** Which navigation entry is current. */
  active?: "pipelines" | "runs" | "report" | "connections" | "members" | "audit" | "new";
  /** Island bundles this page loads, by name. */
  islands?: string[];
  children: ComponentChildren;
}

const NAV = [
  { id: "pipelines", href: "/app", label: "Pipelines", role: "viewer" },
  { id: "runs", href: "/app/runs", label: "Runs", role: "viewer" },
  { id: "report", href: "/app/report", label: "Report", role: "viewer" },
  { id: "connections", href: "/app/connections", label: "Connections", role: "editor" },
  { id: "members", href: "/app/members", label: "Members", role: "owner" },
  { id: "audit", href: "/app/audit", label: "Audit log", role: "owner" },
] as const;

const RANK = { viewer: 0, editor: 1, owner: 2 } as const;

/** The page shell. */
export function Layout(props: LayoutProps) {
  const p = props.principal;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · PyxGen Portal`}</title>
        <link rel="stylesheet" href="/static/app.css" />
        {(props.islands ?? []).map((name) => (
          <script type="module" src={`/static/build/${name}.js`} defer />
        ))}
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header class="topbar">
          <a class="brand" href={p ? "/app" : "/"}>
            <span class="brand-mark" aria-hidden="true">Px</span> PyxGen Portal
          </a>
          {p && (
            <nav aria-label="Main">
              <ul>
                {NAV.filter((n) => RANK[p.role] >= RANK[n.role]).map((n) => (
                  <li>
                    <a href={n.href} aria-current={props.active === n.id ? "page" : undefined}>
                      {n.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {p && (
            <form class="signout" method="post" action="/signout">
              <input type="hidden" name="_csrf" value={p.csrf} />
              <span class="who">{p.label}</span>
              <button type="submit" class="link">Sign out</button>
            </form>
          )}
        </header>
        <main id="main" tabIndex={-1}>{props.children}</main>
        <footer class="footer">
          PyxGen Portal · patient data stays in your organisation's space
        </footer>
      </body>
    </html>
  );
}
