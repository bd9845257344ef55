import { describeFailure, gql } from "../api.ts";
import { formatDate, h, notice, show } from "../dom.ts";
import type { ScreenContext } from "../main.ts";

/** Contacts per page. The API allows up to 500; small pages keep the list quick. */
export const pageSize = 25;

const consentStatuses = ["UNKNOWN", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED"] as const;

interface ContactRow {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  score: number;
  createdAt: string;
  consent: { status: string };
  tags: { name: string }[];
}

interface ContactsPage {
  contacts: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: { node: ContactRow }[];
  };
}

/** `filter` narrows, `after` continues from the previous page's `endCursor`. */
const contactsQuery = `query Contacts($first: Int!, $after: String, $filter: ContactFilter) {
  contacts(first: $first, after: $after, filter: $filter, orderBy: { field: CREATED_AT, direction: DESC }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id email firstName lastName score createdAt consent { status } tags { name } } }
  }
}`;

const tagNamesQuery = `{ tags(first: 500) { edges { node { name } } } }`;

/**
 * The contacts list: search by email, filter by tag and consent, `totalCount`, and "Load more"
 * with cursor pagination. Each new filter starts from the first page; answers to superseded
 * requests are dropped, so typing fast never shows stale rows.
 */
export async function showContacts(container: HTMLElement, { credentials }: ScreenContext) {
  const search = h("input", {
    type: "search",
    testid: "contact-search",
    placeholder: "Email contains…",
    "aria-label": "Search by email",
  });
  const tagFilter = h(
    "select",
    { testid: "tag-filter", "aria-label": "Tag" },
    h("option", { value: "" }, "Any tag"),
  );
  const consentFilter = h(
    "select",
    { testid: "consent-filter", "aria-label": "Consent" },
    h("option", { value: "" }, "Any consent"),
    consentStatuses.map((status) => h("option", { value: status }, status)),
  );
  const total = h("p", { testid: "contacts-total", class: "muted" });
  const body = h("tbody");
  const more = h("button", { testid: "load-more", hidden: true }, "Load more");
  const status = h("div");
  show(
    container,
    h("h1", {}, "Contacts"),
    h("div", { class: "filters" }, search, tagFilter, consentFilter),
    total,
    status,
    h(
      "table",
      { testid: "contacts-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Email", "Name", "Tags", "Consent", "Score", "Created"].map((title) =>
            h("th", {}, title),
          ),
        ),
      ),
      body,
    ),
    more,
  );

  let generation = 0;
  let cursor: string | null = null;

  async function load(reset: boolean) {
    const mine = reset ? ++generation : generation;
    if (reset) cursor = null;
    more.disabled = true;
    const filter = {
      ...(search.value.trim() && { emailContains: search.value.trim() }),
      ...(tagFilter.value && { tag: tagFilter.value }),
      ...(consentFilter.value && { consentStatus: [consentFilter.value] }),
    };
    try {
      const { contacts } = await gql<ContactsPage>(credentials, contactsQuery, {
        first: pageSize,
        after: cursor,
        filter,
      });
      if (mine !== generation) return;
      if (reset) body.replaceChildren();
      show(status);
      body.append(...contacts.edges.map(({ node }) => contactRow(node)));
      total.textContent = `${contacts.totalCount} contact${contacts.totalCount === 1 ? "" : "s"} · showing ${body.children.length}`;
      cursor = contacts.pageInfo.endCursor;
      more.hidden = !contacts.pageInfo.hasNextPage;
    } catch (error) {
      if (mine === generation)
        show(status, notice("error", describeFailure(error), "contacts-error"));
    } finally {
      more.disabled = false;
    }
  }

  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => void load(true), 250);
  });
  tagFilter.addEventListener("change", () => void load(true));
  consentFilter.addEventListener("change", () => void load(true));
  more.addEventListener("click", () => void load(false));

  gql<{ tags: { edges: { node: { name: string } }[] } }>(credentials, tagNamesQuery)
    .then(({ tags }) =>
      tagFilter.append(
        ...tags.edges.map(({ node }) => h("option", { value: node.name }, node.name)),
      ),
    )
    .catch(() => {});
  await load(true);
}

function contactRow(contact: ContactRow): HTMLTableRowElement {
  const name = [contact.firstName, contact.lastName].filter(Boolean).join(" ");
  return h(
    "tr",
    { testid: "contact-row", "data-email": contact.email ?? "" },
    h(
      "td",
      {},
      h(
        "a",
        { href: `#/contacts/${encodeURIComponent(contact.id)}` },
        contact.email ?? "(no email)",
      ),
    ),
    h("td", {}, name),
    h(
      "td",
      {},
      contact.tags.map((tag) => h("span", { class: "chip" }, tag.name)),
    ),
    h("td", {}, contact.consent.status),
    h("td", { class: "number" }, contact.score),
    h("td", {}, formatDate(contact.createdAt)),
  );
}
