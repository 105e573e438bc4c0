/**
 * The AWS SDK (client-s3 and lib-storage), loaded once and only when an S3 repository is used:
 * it adds ~50-85 MB to a process, which every run without S3 would otherwise pay at start.
 * @module
 */

/** The two SDK packages the S3 repository uses. */
export interface S3Sdk {
  client: typeof import("@aws-sdk/client-s3");
  storage: typeof import("@aws-sdk/lib-storage");
}

let loading: Promise<S3Sdk> | undefined;
let loaded: S3Sdk | undefined;

/** Load the SDK (once per process); `connectS3` does, so every holder of a client has it. */
export function loadS3Sdk(): Promise<S3Sdk> {
  loading ??= Promise.all([import("@aws-sdk/client-s3"), import("@aws-sdk/lib-storage")])
    .then(([client, storage]) => loaded = { client, storage });
  return loading;
}

/**
 * The SDK already loaded, for synchronous code that runs only after a client was made (such as
 * `uploadOf`); throws when nothing loaded it yet, which is a bug of the caller.
 */
export function loadedS3Sdk(): S3Sdk {
  if (!loaded) {
    throw new Error("The AWS SDK is not loaded yet: await loadS3Sdk() (or connectS3) first");
  }
  return loaded;
}
