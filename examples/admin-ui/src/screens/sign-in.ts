import { describeFailure, gql } from "../api.ts";
import { h, notice, show } from "../dom.ts";
import { saveCredentials } from "../session.ts";

/**
 * Asks for the API URL and a workspace's secret key, checks them with `{ workspace { name } }`
 * (any secret key may read its own workspace) and keeps them in sessionStorage.
 */
export function showSignIn(container: HTMLElement, onSignedIn: () => void): void {
  const apiUrl = h("input", {
    id: "api-url",
    testid: "api-url",
    type: "url",
    required: true,
    placeholder: "http://localhost:4000",
    value: "http://localhost:4000",
  });
  const secretKey = h("input", {
    id: "secret-key",
    testid: "secret-key",
    type: "password",
    required: true,
    autocomplete: "off",
    placeholder: "sk_…",
  });
  const status = h("div");
  const form = h(
    "form",
    { class: "card sign-in", testid: "sign-in" },
    h("h1", {}, "Cartwheel admin"),
    h("p", {}, "Paste your API URL and a secret key of the workspace. They stay in this tab only."),
    h("label", { for: "api-url" }, "API URL"),
    apiUrl,
    h("label", { for: "secret-key" }, "Secret key"),
    secretKey,
    h("button", { type: "submit", testid: "sign-in-submit" }, "Connect"),
    status,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const credentials = { apiUrl: apiUrl.value.trim(), secretKey: secretKey.value.trim() };
    show(status, notice("info", "Checking…"));
    try {
      if (!URL.canParse(credentials.apiUrl)) throw new Error("The API URL is not a URL.");
      await gql(credentials, "{ workspace { name } }");
    } catch (error) {
      const message = describeFailure(error);
      show(
        status,
        notice(
          "error",
          message.startsWith("FORBIDDEN") || message.startsWith("UNAUTHENTICATED")
            ? `${message} (is it a secret key of a workspace?)`
            : message,
          "sign-in-error",
        ),
      );
      return;
    }
    saveCredentials(credentials);
    onSignedIn();
  });
  show(container, form);
}
