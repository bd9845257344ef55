/**
 * Calls `onNavigate` after single-page-app navigation: `history.pushState`, `replaceState`
 * and `popstate` (back/forward). The call is deferred a tick so the app can set the new title.
 */
export function watchNavigation(onNavigate: () => void): void {
  const later = (): void => void setTimeout(onNavigate, 0);
  for (const method of ["pushState", "replaceState"] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History["pushState"]>) {
      original.apply(this, args);
      later();
    };
  }
  addEventListener("popstate", later);
}
