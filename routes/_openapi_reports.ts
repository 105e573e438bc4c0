/**
 * The report part of the OpenAPI document: a run's report (JSON and CSV), the tenant's report
 * and the tenant's suppression setting (routes/api_reports.ts), and the report's versioned
 * shape (analytics/report.ts; every field is described in analytics/README.md). The schemas are
 * inline, so `openapi.ts` needs only `...reportPaths()`.
 * @module
 */
import { z } from "zod";
import { ReportSettingsBody, TenantReportQuery } from "./api_reports.ts";
import {
  answer,
  body,
  csrfParam,
  denied,
  errors,
  idParam,
  queryParams,
} from "./_openapi_shared.ts";

const runId = idParam("id", "The run's id");
const int = { type: "integer" };
const str = { type: "string" };

const Count = {
  description:
    'A count: a number, or "<k" (1 to k-1, k the tenant\'s threshold), "≥k" (hidden so that a small count cannot be worked out from a total) or "withheld" (part of a total that is not shown)',
  oneOf: [{ type: "integer", minimum: 0 }, { type: "string" }],
};
const count = Count;
const Distribution = {
  type: "object",
  required: ["cells"],
  properties: {
    cells: {
      type: "array",
      items: {
        type: "object",
        required: ["key", "count"],
        properties: {
          key: str,
          label: { type: "string", description: "A readable name where the key is a code" },
          status: { type: "string", description: "Vaccines only: the CDC status of the code" },
          count,
        },
      },
    },
    withheld: { type: "boolean", description: "Some cells were left out to protect small counts" },
  },
};
const dist = Distribution;

const Report = {
  type: "object",
  description:
    "The basic report of a run (reportVersion 1), suppressed with the tenant's threshold. See analytics/README.md for every field.",
  required: ["reportVersion", "tenant", "pipeline", "run", "asOf", "suppression", "records"],
  properties: {
    reportVersion: { type: "integer", const: 1 },
    tenant: str,
    pipeline: str,
    run: { type: "string", description: "The run; in the tenant report, its runs joined by ;" },
    generatedAt: { type: "string", format: "date-time" },
    asOf: { type: "string", format: "date", description: "The run's date: age bands use it" },
    suppression: {
      type: "object",
      properties: { threshold: int, method: str },
    },
    records: {
      type: "object",
      properties: { total: count, byType: dist, bySource: dist },
    },
    patients: {
      type: ["object", "null"],
      description: "Null unless FHIR Patient resources were written",
      properties: {
        total: count,
        gender: dist,
        ageBand: dist,
        race: dist,
        ethnicity: dist,
        state: dist,
        completeness: {
          type: "array",
          items: {
            type: "object",
            properties: {
              field: str,
              present: count,
              missing: count,
              share: { type: ["number", "null"], description: "Null when a count is hidden" },
            },
          },
        },
      },
    },
    immunizations: {
      type: ["object", "null"],
      description: "Null unless FHIR Immunization resources were written",
      properties: {
        total: count,
        byVaccine: dist,
        byCvxStatus: dist,
        byYear: dist,
        byMonth: dist,
        patients: { type: "object" },
        perPatient: { type: "object" },
      },
    },
    checks: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: str,
          title: str,
          resourceType: { type: "string", enum: ["Patient", "Immunization"] },
          status: { type: "string", enum: ["pass", "fail", "not_applicable"] },
          numerator: count,
          denominator: count,
          examples: {
            type: "array",
            items: str,
            description: "Source references of failing rows (file and line, or key)",
          },
        },
      },
    },
    comparison: {
      type: ["object", "null"],
      description:
        "New / changed / unchanged / removed records and checks that changed status, against the pipeline's previous successful run; null on a first run and in the tenant report",
    },
    truncated: { type: "array", items: str },
  },
};

const IncludedRuns = {
  type: "object",
  properties: {
    runs: {
      type: "array",
      description: "The runs the tenant report is made of: one per saved pipeline",
      items: {
        type: "object",
        properties: {
          pipelineId: str,
          pipeline: str,
          run: str,
          finishedAt: { type: ["string", "null"], format: "date-time" },
        },
      },
    },
  },
};

const csvAnswer = (what: string) => ({
  description:
    `${what} as CSV (section,dimension,category,label,value), sent as an attachment; every download goes to the audit log`,
  headers: {
    "Content-Disposition": {
      description: 'attachment; filename="report-….csv"',
      schema: { type: "string" },
    },
  },
  content: { "text/csv": { schema: { type: "string" } } },
});

const noReport =
  "No such run for this tenant, or the run has no report; the sentence says why (not succeeded yet, report turned off, made before reports existed)";

const Settings = z.toJSONSchema(ReportSettingsBody);

/** The paths of reports and report settings. */
export function reportPaths(): Record<string, unknown> {
  return {
    "/api/v1/runs/{id}/report": {
      get: {
        summary: "A run's basic report, with small counts suppressed",
        parameters: [runId],
        responses: {
          "200": answer("The report", Report),
          ...errors,
          "404": answer(noReport),
        },
      },
    },
    "/api/v1/runs/{id}/report.csv": {
      get: {
        summary: "A run's basic report as a CSV download",
        parameters: [runId],
        responses: { "200": csvAnswer("The report"), ...errors, "404": answer(noReport) },
      },
    },
    "/api/v1/report": {
      get: {
        summary: "The tenant's report across the latest successful run of each saved pipeline",
        description:
          "Counts of each pipeline's latest succeeded run with a report, summed by category, then suppressed; the comparison is left out. `runs` lists the runs it is made of.",
        parameters: queryParams(TenantReportQuery),
        responses: {
          "200": {
            description: "The report as JSON, or with format=csv as a CSV download",
            content: {
              "application/json": { schema: { allOf: [Report, IncludedRuns] } },
              ...csvAnswer("").content,
            },
          },
          "400": errors["400"],
          "401": errors["401"],
          "404": answer("No saved pipeline has a succeeded run with a report yet"),
        },
      },
    },
    "/api/v1/settings/report": {
      get: {
        summary: "The tenant's report settings: the small-cell suppression threshold",
        responses: {
          "200": answer("The settings", Settings),
          "401": errors["401"],
        },
      },
      put: {
        summary: "Change the small-cell suppression threshold (owners); audited",
        parameters: [csrfParam],
        requestBody: { ...body(ReportSettingsBody), required: true },
        responses: {
          "200": answer("The settings as saved", Settings),
          "400": errors["400"],
          "401": errors["401"],
          "403": denied("owners"),
        },
      },
    },
  };
}
