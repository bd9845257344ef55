/** The SDK's version, sent as `context.library.version`; a test keeps it equal to package.json. */
export const SDK_VERSION = "0.1.0";
