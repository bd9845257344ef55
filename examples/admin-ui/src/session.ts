/** What the user pasted on the sign-in screen. */
export interface Credentials {
  apiUrl: string;
  secretKey: string;
}

const storageKey = "cartwheel-admin:credentials";

/**
 * The credentials of this tab, from sessionStorage: they survive a reload but not closing the
 * tab, and other tabs and sites never see them. (A real admin would sign users in instead of
 * handling a secret key in the browser.)
 */
export function loadCredentials(): Credentials | undefined {
  const saved = sessionStorage.getItem(storageKey);
  if (!saved) return undefined;
  try {
    const parsed = JSON.parse(saved) as Partial<Credentials>;
    return parsed.apiUrl && parsed.secretKey
      ? { apiUrl: parsed.apiUrl, secretKey: parsed.secretKey }
      : undefined;
  } catch {
    return undefined;
  }
}

export function saveCredentials(credentials: Credentials): void {
  sessionStorage.setItem(storageKey, JSON.stringify(credentials));
}

export function clearCredentials(): void {
  sessionStorage.removeItem(storageKey);
}
