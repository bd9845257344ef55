/** How the shopper signalled they were leaving. */
export type ExitIntentTrigger = "pointer" | "scroll" | "hidden";

/** Exit-intent tuning. */
export interface ExitIntentOptions {
  /** No exit intent this soon after a page view starts. Default 5000 ms. */
  quietPeriodMs?: number;
  /** On touch devices, scrolling up at least this fast (px/ms) counts. Default 1.5. */
  scrollUpSpeed?: number;
}

/** What `on("exitIntent")` handlers receive; also the `Exit Intent` event's properties. */
export interface ExitIntentDetail {
  trigger: ExitIntentTrigger;
  time_on_page_ms: number;
}

/** Controls a running exit-intent watcher. */
export interface ExitIntentWatcher {
  /** Starts a new page view: the quiet period begins again and exit intent may fire once more. */
  newPageView(): void;
}

const MIN_SCROLL_UP_PX = 60;

/**
 * Watches for a shopper about to leave and calls `onExitIntent` at most once per page view,
 * never within the quiet period. Desktop: the pointer leaves the viewport through the top (toward
 * the tabs and address bar). Touch devices: a fast scroll up, or the tab being hidden.
 */
export function watchExitIntent(
  onExitIntent: (detail: ExitIntentDetail) => void,
  options: ExitIntentOptions,
): ExitIntentWatcher {
  const quietPeriodMs = options.quietPeriodMs ?? 5000;
  const scrollUpSpeed = options.scrollUpSpeed ?? 1.5;
  const touch = matchMedia("(pointer: coarse)").matches;
  let pageViewStart = Date.now();
  let fired = false;
  let lastY = scrollY;
  let lastAt = pageViewStart;

  const trigger = (kind: ExitIntentTrigger): void => {
    const timeOnPage = Date.now() - pageViewStart;
    if (fired || timeOnPage < quietPeriodMs) return;
    fired = true;
    onExitIntent({ trigger: kind, time_on_page_ms: timeOnPage });
  };

  document.addEventListener("mouseout", (event) => {
    if (!event.relatedTarget && event.clientY <= 0) trigger("pointer");
  });
  if (touch) {
    addEventListener(
      "scroll",
      () => {
        const now = Date.now();
        const upward = lastY - scrollY;
        if (upward >= MIN_SCROLL_UP_PX && upward / Math.max(1, now - lastAt) >= scrollUpSpeed)
          trigger("scroll");
        lastY = scrollY;
        lastAt = now;
      },
      { passive: true },
    );
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") trigger("hidden");
    });
  }

  return {
    newPageView() {
      pageViewStart = Date.now();
      fired = false;
    },
  };
}
