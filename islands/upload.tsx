/**
 * Island "upload" (filled in by the dashboard work of issue 6).
 * @module
 */
export {};
