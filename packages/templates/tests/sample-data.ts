import type { TemplateData } from "../src/index.ts";

/** Minimal valid render data; tests override what they exercise. */
export function sampleData(overrides: Partial<TemplateData> = {}): TemplateData {
  return {
    shop: {
      name: "Acme",
      url: "https://acme.test",
      currency: "EUR",
      locale: "de-DE",
      postal_address: "Acme GmbH, Hauptstraße 1, 10115 Berlin",
      support_email: "help@acme.test",
    },
    contact: { email: "ada@example.com", first_name: "Ada", timezone: "Europe/Berlin" },
    unsubscribe_url: "https://acme.test/unsubscribe?t=1",
    preferences_url: "https://acme.test/preferences?t=1",
    ...overrides,
  };
}
