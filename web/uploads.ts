/**
 * File uploads into the tenant's own input folder, streamed to disk (never held in memory) with
 * a size limit. Filled in by the wizard work of issue 6.
 * @module
 */

/** Where uploads are posted; the app's 1 MiB body limit does not apply there. */
export const UPLOADS_PATH = "/app/uploads";
