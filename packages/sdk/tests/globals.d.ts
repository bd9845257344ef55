import type { Cartwheel } from "../src/client";

declare global {
  /** The SDK as the script-tag build installs it, for `page.evaluate` callbacks. */
  var cartwheel: Cartwheel;
}
