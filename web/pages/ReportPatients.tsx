/**
 * The patients part of the report page: gender, age bands (deceased apart), race, ethnicity,
 * state, and how complete the key fields are.
 * @module
 */
import type { Cell, Count, PatientSection } from "../../analytics/report.ts";
import { countText } from "../../components/charts.tsx";
import { cellLabel, DistributionView, Figures, isShown, N, percent } from "./ReportParts.tsx";

const GENDERS: Record<string, string> = {
  female: "Female",
  male: "Male",
  other: "Other",
  unknown: "Unknown",
};

const AGES: Record<string, string> = {
  "0-4": "0–4 years",
  "5-17": "5–17 years",
  "18-44": "18–44 years",
  "45-64": "45–64 years",
  "65+": "65 and over",
  deceased: "Deceased",
  unknown: "Birth date unknown",
};

const FIELDS: Record<string, string> = {
  identifier: "Identifier (e.g. medical record number)",
  name: "Name",
  birthDate: "Birth date",
  gender: "Gender",
  address: "Address",
  telecom: "Phone or email",
};

const words = (table: Record<string, string>) => (c: Cell<Count>) => cellLabel(c, table);
const inBand = (c: Cell<Count>) => c.key !== "deceased" && c.key !== "unknown";

/** Patients: demographics and completeness. */
export function PatientsSection(props: { patients: PatientSection<Count>; asOf: string }) {
  const p = props.patients;
  const total = { label: "All patients", count: p.total };
  const apart = p.ageBand.cells.filter((c) => !inBand(c));
  return (
    <section class="card report-section" aria-labelledby="patients-h">
      <h2 id="patients-h">Patients</h2>
      <Figures
        items={[{ label: "Patients", count: p.total }]}
      />
      <div class="report-grid">
        <DistributionView
          id="gender"
          title="Patients by gender"
          head="Gender"
          dist={p.gender}
          label={words(GENDERS)}
          total={total}
          shares
        />
        <DistributionView
          id="ageBand"
          title="Patients by age"
          head="Age band"
          dist={p.ageBand}
          label={words(AGES)}
          total={total}
          shares
          chartCells={inBand}
        >
          <p class="help">
            Age on {props.asOf}, the day of the run. {apart.length > 0 && (
              <>
                Not in an age band: {apart.map((c, i) => (
                  <>
                    {i > 0 && ", "}
                    {AGES[c.key]} <N count={c.count} />
                  </>
                ))}.
              </>
            )}
          </p>
        </DistributionView>
        <DistributionView
          id="race"
          title="Patients by race"
          head="Race (OMB category)"
          dist={p.race}
          total={total}
          shares
        />
        <DistributionView
          id="ethnicity"
          title="Patients by ethnicity"
          head="Ethnicity (OMB category)"
          dist={p.ethnicity}
          total={total}
          shares
        />
        <DistributionView
          id="state"
          title="Patients by state"
          head="State"
          dist={p.state}
          total={total}
          shares
        />
      </div>
      <Completeness patients={p} />
    </section>
  );
}

function Completeness(props: { patients: PatientSection<Count> }) {
  return (
    <section class="report-block" aria-labelledby="completeness-h">
      <h3 id="completeness-h">How complete are the key fields?</h3>
      <p class="help">The share of patients whose record has each field filled in.</p>
      <div class="table-wrap">
        <table class="report-table completeness" data-dimension="completeness">
          <caption class="visually-hidden">Completeness of key patient fields</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col" class="num">Filled in</th>
              <th scope="col" class="num">Missing</th>
              <th scope="col" class="num">Share filled in</th>
              <th scope="col" class="share-col">
                <span class="visually-hidden">Share as a bar</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.patients.completeness.map((c) => (
              <tr>
                <th scope="row">{FIELDS[c.field] ?? c.field}</th>
                <td class="num count">{countText(c.present)}</td>
                <td class="num count">{countText(c.missing)}</td>
                <td class="num">{c.share === null ? "—" : percent(c.share)}</td>
                <td class="share-col">
                  {c.share !== null && isShown(c.present) && (
                    <svg class="share-bar" width="100%" height="10" aria-hidden="true">
                      <rect width="100%" height="10" rx="2" class="share-track" />
                      <rect width={`${(c.share * 100).toFixed(2)}%`} height="10" rx="2" />
                    </svg>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
