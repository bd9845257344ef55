import { readdirSync, readFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";

const viewsDirectory = fileURLToPath(new URL("../views/", import.meta.url));
const contentMarker = "<!-- cw:content -->";
const stylesMarker = "/* cw:styles */";

function readView(path: string): string {
  return readFileSync(`${viewsDirectory}${path}`, "utf8");
}

/** The house stylesheet shared by the base layout, the partials and the library emails. */
export const houseStylesheet = readView("email.css");

/** The base layout split around the spot where an email's body goes. */
export interface LayoutSource {
  beforeContent: string;
  afterContent: string;
}

function loadLayout(name: string): LayoutSource {
  const source = readView(`layouts/${name}.liquid`).replace(stylesMarker, houseStylesheet);
  const [beforeContent, afterContent, ...rest] = source.split(contentMarker);
  if (beforeContent === undefined || afterContent === undefined || rest.length > 0) {
    throw new Error(`layout ${name} must contain ${contentMarker} exactly once`);
  }
  return { beforeContent, afterContent };
}

/** The responsive base layout: header, body, footer with unsubscribe links and postal address. */
export const baseLayout = loadLayout("base");

/** Built-in partials by name (`header`, `footer`, `button`, `product-card`, `product-grid`). */
export const builtInPartials: Readonly<Record<string, string>> = Object.fromEntries(
  readdirSync(`${viewsDirectory}partials`)
    .filter((file) => file.endsWith(".liquid"))
    .map((file) => [basename(file, ".liquid"), readView(`partials/${file}`)]),
);
