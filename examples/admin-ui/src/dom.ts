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

/**
 * Like `show`, but keeps the nodes already on screen wherever the new content has the same
 * shape (same tags in the same places), changing only text and attributes: a refresh then
 * leaves the reader's scroll position and text selection alone. Meant for content without
 * listeners (an existing node keeps its own).
 */
export function patch(container: HTMLElement, ...children: Child[]): void {
  const next = document.createElement(container.tagName);
  show(next, ...children);
  patchChildren(container, next);
}

function patchChildren(current: Node, next: Node) {
  const old = [...current.childNodes];
  const fresh = [...next.childNodes];
  fresh.forEach((node, i) => {
    const existing = old[i];
    if (!existing) current.appendChild(node);
    else if (existing.nodeName !== node.nodeName) current.replaceChild(node, existing);
    else if (existing instanceof Element && node instanceof Element) {
      for (const { name } of [...existing.attributes]) {
        if (!node.hasAttribute(name)) existing.removeAttribute(name);
      }
      for (const { name, value } of [...node.attributes]) {
        if (existing.getAttribute(name) !== value) existing.setAttribute(name, value);
      }
      patchChildren(existing, node);
    } else if (existing.nodeValue !== node.nodeValue) {
      existing.nodeValue = node.nodeValue;
    }
  });
  for (const extra of old.slice(fresh.length)) extra.remove();
}
