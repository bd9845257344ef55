import {
  describeFailure,
  describeMutationError,
  gql,
  type MutationError,
  mutationErrorFields,
} from "../api.ts";
import { formatDate, h, notice, show } from "../dom.ts";
import type { ScreenContext } from "../main.ts";

interface TagRow {
  id: string;
  name: string;
  contactCount: number;
  createdAt: string;
}

const tagsQuery = `query Tags($after: String) {
  tags(first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name contactCount createdAt } }
  }
}`;

const mutations = {
  createTag: `mutation($input: CreateTagInput!) { createTag(input: $input) { __typename ${mutationErrorFields} } }`,
  renameTag: `mutation($input: RenameTagInput!) { renameTag(input: $input) { __typename ${mutationErrorFields} } }`,
  deleteTag: `mutation($input: DeleteTagInput!) { deleteTag(input: $input) { __typename ${mutationErrorFields} } }`,
} as const;

type TagMutation = keyof typeof mutations;
type TagOutcome = { __typename: `Mutation${string}Success` } | MutationError;

/** Tags with their contact counts: create, rename (inline) and delete (asks once more). */
export async function showTags(container: HTMLElement, { credentials }: ScreenContext) {
  const status = h("div", { testid: "tags-status" });
  const list = h("tbody");
  const total = h("p", { class: "muted", testid: "tags-total" });
  const more = h("button", { testid: "tags-load-more", hidden: true }, "Load more");
  const newName = h("input", {
    testid: "new-tag-name",
    placeholder: "New tag",
    "aria-label": "New tag",
  });
  const createForm = h(
    "form",
    { class: "inline" },
    newName,
    h("button", { type: "submit", testid: "create-tag" }, "Create tag"),
  );
  let cursor: string | null = null;

  async function mutate(name: TagMutation, input: Record<string, unknown>, done: string) {
    try {
      const data = await gql<Record<TagMutation, TagOutcome>>(credentials, mutations[name], {
        input,
      });
      const outcome = data[name];
      switch (outcome.__typename) {
        case "InvalidInputError":
        case "NotFoundError":
        case "ConflictError":
        case "ForbiddenError":
          show(status, notice("error", describeMutationError(outcome), "tags-error"));
          return false;
        default:
          await load(true);
          show(status, notice("info", done));
          return true;
      }
    } catch (error) {
      show(status, notice("error", describeFailure(error), "tags-error"));
      return false;
    }
  }

  function row(tag: TagRow): HTMLTableRowElement {
    const nameCell = h("td", { testid: "tag-name" }, tag.name);
    const renameButton = h("button", { class: "link", testid: "rename-tag" }, "Rename");
    const deleteButton = h("button", { class: "link danger", testid: "delete-tag" }, "Delete");
    renameButton.addEventListener("click", () => {
      const input = h("input", {
        testid: "rename-input",
        value: tag.name,
        "aria-label": `New name for ${tag.name}`,
      });
      const form = h(
        "form",
        { class: "inline" },
        input,
        h("button", { type: "submit", testid: "rename-save" }, "Save"),
      );
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        void mutate(
          "renameTag",
          { id: tag.id, name: input.value.trim() },
          `Renamed “${tag.name}” to “${input.value.trim()}”.`,
        );
      });
      show(nameCell, form);
      input.focus();
    });
    deleteButton.addEventListener("click", () => {
      if (deleteButton.dataset.armed) {
        void mutate("deleteTag", { id: tag.id }, `Deleted “${tag.name}”.`);
        return;
      }
      deleteButton.dataset.armed = "yes";
      deleteButton.textContent = `Delete from ${tag.contactCount} contacts?`;
    });
    return h(
      "tr",
      { testid: "tag-row", "data-tag": tag.name },
      nameCell,
      h("td", { class: "number", testid: "tag-count" }, tag.contactCount),
      h("td", {}, formatDate(tag.createdAt)),
      h("td", {}, renameButton, " ", deleteButton),
    );
  }

  async function load(reset: boolean) {
    if (reset) cursor = null;
    const { tags } = await gql<{
      tags: {
        totalCount: number;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
        edges: { node: TagRow }[];
      };
    }>(credentials, tagsQuery, { after: cursor });
    if (reset) list.replaceChildren();
    list.append(...tags.edges.map(({ node }) => row(node)));
    total.textContent = `${tags.totalCount} tag${tags.totalCount === 1 ? "" : "s"}`;
    cursor = tags.pageInfo.endCursor;
    more.hidden = !tags.pageInfo.hasNextPage;
  }

  createForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = newName.value.trim();
    if (name && (await mutate("createTag", { name }, `Created “${name}”.`))) newName.value = "";
  });
  more.addEventListener("click", () =>
    load(false).catch((error) => show(status, notice("error", describeFailure(error)))),
  );

  show(
    container,
    h("h1", {}, "Tags"),
    createForm,
    status,
    total,
    h(
      "table",
      { testid: "tags-table" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["Name", "Contacts", "Created", ""].map((title) => h("th", {}, title)),
        ),
      ),
      list,
    ),
    more,
  );
  await load(true);
}
