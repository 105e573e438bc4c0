/**
 * Source row → FHIR R4 Immunization: CVX vaccine code with the CDC display, `Patient/<id>`
 * reference made exactly as the Patient mapper makes ids, occurrence kept to the instant.
 * @module
 */
import type { CodeableConcept, Immunization } from "fhir-types/r4";
import type { Row } from "../etl/types.ts";
import type { ImmunizationConfig, ImmunizationMapping } from "./config.ts";
import { CVX_CODES, CVX_SYSTEM, cvxCode } from "./cvx.ts";
import { fhirDate, fhirDateTime, instantKey } from "./dates.ts";
import { hashId, isFhirId, patientId } from "./ids.ts";
import { ROUTE_MAP, ROUTES, SITE_MAP, SITES, STATUS_MAP } from "./terminology.ts";
import { createValueMap } from "./value_map.ts";
import { conceptsByCode } from "./parts.ts";
import { shareJson } from "../etl/format/json_bytes.ts";
import { cellBoolean, cellText, freezeObjects, NO_COLUMN } from "./values.ts";

/** A mapped Immunization row: key fields for tables, and the resource. */
export interface ImmunizationRow extends Row {
  id: string;
  resource_type: "Immunization";
  patient_id: string;
  vaccine_code: string;
  occurrence: string;
  status: string;
  resource: Immunization;
}

/** Options of {@link createImmunizationMapper}, taken from the transformer's config. */
export type ImmunizationMapperOptions = Partial<
  Pick<ImmunizationConfig, "valueMaps" | "primarySource" | "dayFirst">
>;

/** vaccineCode for a CVX code; built once per code and shared when the row has no own text. */
function vaccineConcept(code: string, text: string | undefined): CodeableConcept {
  const entry = CVX_CODES.get(code);
  const coding = entry === undefined
    ? { system: CVX_SYSTEM, code }
    : { system: CVX_SYSTEM, code, display: entry.shortDescription };
  const t = text ?? entry?.shortDescription;
  return t === undefined ? { coding: [coding] } : { coding: [coding], text: t };
}

/**
 * Compile a resolved mapping into a row mapper. The mapper returns the Immunization row, or a
 * string saying why the row cannot be mapped. Unknown CVX codes are kept for the validator to
 * reject, so the reason names the code.
 *
 * @example
 * ```ts
 * const map = createImmunizationMapper({ patient: "PATIENT", vaccineCode: "CODE", occurrence: "DATE" });
 * map({ PATIENT: "p1", CODE: 8, DATE: "2014-02-15T10:14:03Z" }).resource.vaccineCode.coding[0].code; // "08"
 * ```
 */
export function createImmunizationMapper(
  m: ImmunizationMapping,
  options: ImmunizationMapperOptions = {},
): (row: Row) => ImmunizationRow | string {
  const vm = options.valueMaps ?? {};
  const dayFirst = options.dayFirst ?? false;
  const defaultPrimary = options.primarySource ?? true;
  const statusMap = createValueMap(STATUS_MAP as Record<string, string>, vm.status);
  const siteMap = createValueMap(SITE_MAP, vm.site);
  const codeMap = createValueMap({}, vm.vaccineCode);
  const routeMap = createValueMap(ROUTE_MAP, vm.route);
  const siteConcepts = conceptsByCode(SITES), routeConcepts = conceptsByCode(ROUTES);
  const shared = new Map<string, CodeableConcept>();
  // Fixed keys per read site keep V8's property caches monomorphic (see patient.ts).
  const col = (c: string | null | undefined): PropertyKey => c ?? NO_COLUMN;
  const idCol = col(m.id), patientCol = col(m.patient), codeCol = col(m.vaccineCode);
  const textCol = col(m.vaccineText), whenCol = col(m.occurrence), statusCol = col(m.status);
  const primaryCol = col(m.primarySource), lotCol = col(m.lotNumber);
  const expiryCol = col(m.expirationDate), siteCol = col(m.site), routeCol = col(m.route);
  const missing = (path: string, key: PropertyKey) =>
    key === NO_COLUMN
      ? `${path}: missing (no column is mapped)`
      : `${path}: missing (column "${String(key)}" is empty)`;

  // Rows usually come grouped by patient: remember the last patient's id.
  let lastKey = "", lastPid = "", lastReference = "";
  return (input) => {
    const row = input as Record<PropertyKey, unknown>;
    const patientKey = cellText(row[patientCol]);
    if (patientKey === undefined) return missing("Immunization.patient", patientCol);
    const rawCode = row[codeCol];
    const codeText = cellText(rawCode);
    if (codeText === undefined) return missing("Immunization.vaccineCode", codeCol);
    // A local code the user mapped to CVX, else the cell itself (numbers keep their leading zeros).
    const mapped = codeMap.get(codeText);
    const code = cvxCode(mapped ?? (typeof rawCode === "number" ? rawCode : codeText)) ??
      mapped ?? codeText;
    const rawWhen = cellText(row[whenCol]);
    if (rawWhen === undefined) return missing("Immunization.occurrenceDateTime", whenCol);
    const occurrence = fhirDateTime(rawWhen, dayFirst);
    if (occurrence === undefined) {
      return `Immunization.occurrenceDateTime: not a valid date or date-time ("${rawWhen}")`;
    }
    const rawStatus = cellText(row[statusCol]) ?? "";
    const status = statusMap.get(rawStatus) as Immunization["status"] | undefined;
    if (status === undefined) {
      return `Immunization.status: cannot map value to completed | entered-in-error | not-done ("${rawStatus}")`;
    }
    let primarySource = defaultPrimary;
    if (primaryCol !== NO_COLUMN) {
      const raw = row[primaryCol];
      const b = cellBoolean(raw);
      if (b !== undefined) primarySource = b;
      else if (cellText(raw) !== undefined) {
        return `Immunization.primarySource: not a boolean ("${cellText(raw)}")`;
      }
    }
    const lotNumber = cellText(row[lotCol]);
    if (patientKey !== lastKey) {
      lastPid = patientId(patientKey);
      lastKey = patientKey;
      lastReference = `Patient/${lastPid}`;
    }
    const pid = lastPid;
    const rawId = cellText(row[idCol]);
    const id = rawId !== undefined && isFhirId(rawId)
      ? rawId
      : hashId("Immunization", [pid, code, instantKey(occurrence), lotNumber ?? ""]);

    const ownText = cellText(row[textCol]);
    let vaccineCode: CodeableConcept;
    if (ownText !== undefined) vaccineCode = vaccineConcept(code, ownText);
    else {
      let c = shared.get(code);
      if (c === undefined) {
        c = shareJson(freezeObjects(vaccineConcept(code, undefined)));
        if (shared.size < 1024) shared.set(code, c);
      }
      vaccineCode = c;
    }
    const resource: Immunization = {
      resourceType: "Immunization",
      id,
      status,
      vaccineCode,
      patient: { reference: lastReference },
      occurrenceDateTime: occurrence,
      primarySource,
    };
    if (lotNumber !== undefined) resource.lotNumber = lotNumber;
    const rawExpiry = cellText(row[expiryCol]);
    if (rawExpiry !== undefined) {
      const expirationDate = fhirDate(rawExpiry, dayFirst);
      if (expirationDate === undefined) {
        return `Immunization.expirationDate: not a valid date ("${rawExpiry}")`;
      }
      resource.expirationDate = expirationDate;
    }
    const rawSite = cellText(row[siteCol]);
    if (rawSite !== undefined) {
      const c = siteMap.get(rawSite);
      resource.site = c === undefined ? { text: rawSite } : siteConcepts.get(c)!;
    }
    const rawRoute = cellText(row[routeCol]);
    if (rawRoute !== undefined) {
      const c = routeMap.get(rawRoute);
      resource.route = c === undefined ? { text: rawRoute } : routeConcepts.get(c)!;
    }
    return {
      id,
      resource_type: "Immunization",
      patient_id: pid,
      vaccine_code: code,
      occurrence,
      status,
      resource,
    };
  };
}
