type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | null | EventListener>;

/**
 * Creates an element: attributes (`on*` become listeners, `testid` becomes `data-testid`,
 * `false`/`null`/`undefined` are left out) and children (strings become text, never HTML).
 *
 * @example h("button", { testid: "save", onclick: save }, "Save")
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "testid") {
      element.dataset.testid = String(value);
    } else if (value === true) {
      element.setAttribute(name, "");
    } else if (name === "value" && "value" in element) {
      (element as HTMLInputElement).value = String(value);
    } else {
      element.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A status line: `kind` "error" is announced to screen readers at once. */
export function notice(kind: "error" | "info", text: string, testid?: string): HTMLElement {
  return h(
    "p",
    { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status", testid },
    text,
  );
}

/** A date-time from the API as the browser's locale shows it; "—" when there is none. */
export function formatDate(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : "—";
}

/** Replaces a container's content. */
export function show(container: HTMLElement, ...children: Child[]): void {
  container.replaceChildren(
    ...children.flatMap((child) =>
      child === null || child === undefined || child === false
        ? []
        : [child instanceof Node ? child : String(child)],
    ),
  );
}

/** Text from an API description, with its `backticked` names as code (still never HTML). */
export function describedText(text: string): (string | HTMLElement)[] {
  return text.split("`").map((part, i) => (i % 2 === 1 ? h("code", {}, part) : part));
}
