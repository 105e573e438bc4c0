/**
 * Island "run_status": keeps the live part of the run page current. It reads the page's JSON
 * block (`#run-status-data`: the run as the API shows it, plus what the page knows), then asks
 * `GET /api/v1/runs/:id` (the session cookie authenticates it) every 1.5 s while the run is
 * queued or running, and stops when it ends. After repeated failures it stops and says so.
 * @module
 */
import { hydrate } from "preact";
import { useEffect, useState } from "preact/hooks";
import { RunLive, type RunLiveProps } from "../components/RunLive.tsx";
import { hasEnded, type RunView } from "../components/run_text.ts";

const EVERY_MS = 1_500;
const GIVE_UP_AFTER = 5;

function LiveRun(props: RunLiveProps) {
  const [run, setRun] = useState<RunView>(props.run);
  const [now, setNow] = useState(props.now);
  const [failures, setFailures] = useState(0);
  useEffect(() => {
    if (hasEnded(run.status) || failures >= GIVE_UP_AFTER) return;
    const timer = setTimeout(async () => {
      try {
        const res = await fetch(`/api/v1/runs/${encodeURIComponent(run.id)}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!res.ok) throw new Error(`status ${res.status}`);
        const next = await res.json() as RunView;
        // The server's clock, so a running run's duration does not depend on this computer's.
        const date = Date.parse(res.headers.get("Date") ?? "");
        setNow(Number.isNaN(date) ? Date.now() : date);
        setFailures(0);
        setRun(next);
      } catch {
        setFailures((n) => n + 1);
      }
    }, failures > 0 ? EVERY_MS * 2 : EVERY_MS);
    return () => clearTimeout(timer);
  }, [run, failures]);
  return <RunLive {...props} run={run} now={now} stale={failures >= GIVE_UP_AFTER} />;
}

const root = document.querySelector<HTMLElement>("[data-island='run-status']");
const data = document.getElementById("run-status-data");
if (root && data?.textContent) {
  const props = JSON.parse(data.textContent) as RunLiveProps;
  hydrate(<LiveRun {...props} />, root);
}
