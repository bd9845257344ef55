/** A random RFC 4122 v4 id: `crypto.randomUUID` where it exists (secure contexts), else built from `getRandomValues`. */
export function makeId(): string {
  return (
    crypto.randomUUID?.() ??
    "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (digit) =>
      (
        +digit ^
        ((crypto.getRandomValues(new Uint8Array(1))[0] as number) & (15 >> (+digit / 4)))
      ).toString(16),
    )
  );
}
