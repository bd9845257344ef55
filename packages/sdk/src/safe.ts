/** Logs a warning with the SDK's prefix; never throws itself. */
export function warn(...details: unknown[]): void {
  try {
    console.warn("[cartwheel]", ...details);
  } catch {}
}

/** Wraps a public method so that no error ever reaches the page; errors are logged instead. */
export function withErrorBoundary<Args extends unknown[], Result>(
  method: (...args: Args) => Result,
): (...args: Args) => Result | undefined {
  return (...args) => {
    try {
      return method(...args);
    } catch (error) {
      warn(error);
      return undefined;
    }
  };
}
