/** The engine's version, written into every run manifest. Bump it when output can change. */
export const ENGINE_VERSION = "0.1.0";
