import { upsertContact } from "../../src/domain/contacts/upsert-contact.ts";
import { createTemplate } from "../../src/domain/email-templates/templates.ts";
import { updateEmailSettings } from "../../src/domain/messages/email-settings.ts";
import { createWorkspace } from "../../src/domain/workspaces/workspaces.ts";

let shopCounter = 0;

/**
 * A workspace ready to send: shop details, a sender, consent required, and a send rate high
 * enough not to slow tests down (override with `sendRatePerSecond`).
 */
export async function createEmailWorkspace(
  options: { consentRequired?: boolean; sendRatePerSecond?: number } = {},
) {
  shopCounter += 1;
  const workspace = await createWorkspace({ name: `Mail shop ${shopCounter}` });
  const settings = await updateEmailSettings(workspace.id, {
    shopName: "Northwind Göods",
    shopUrl: "https://northwind.example",
    postalAddress: "410 Terry Ave N, Seattle, WA 98109",
    supportEmail: "help@northwind.example",
    fromName: "Northwind Göods",
    fromEmail: "hello@northwind.example",
    currency: "USD",
    locale: "en-US",
    consentRequired: options.consentRequired ?? true,
    sendRatePerSecond: options.sendRatePerSecond ?? 5000,
  });
  return { workspace, settings };
}

let emailCounter = 0;

/** A contact with a unique address; SUBSCRIBED unless `consent` says otherwise. */
export async function createMailContact(
  workspaceId: string,
  options: {
    consent?: "UNKNOWN" | "PENDING" | "SUBSCRIBED" | "UNSUBSCRIBED";
    firstName?: string;
  } = {},
) {
  emailCounter += 1;
  const { contact } = await upsertContact(workspaceId, {
    email: `shopper-${emailCounter}-${Math.random().toString(36).slice(2, 8)}@example.com`,
    firstName: options.firstName ?? "Zoë",
    lastName: "Ångström",
    consent: { status: options.consent ?? "SUBSCRIBED", source: "test" },
  });
  return contact;
}

/** A small marketing or transactional template with a shop link, an external link and a mailto. */
export function createSimpleTemplate(
  workspaceId: string,
  kind: "MARKETING" | "TRANSACTIONAL" = "MARKETING",
) {
  return createTemplate(workspaceId, {
    name: kind === "MARKETING" ? "Spring sale" : "Order shipped",
    kind,
    subject: "Grüße, {{ contact.first_name }} — {{ shop.name }}",
    preheader: "Only this week",
    html: `<h1>Hello {{ contact.first_name }}</h1>
<p><a href="https://northwind.example/sale?ref=mail">Shop the sale</a></p>
<p><a href="https://other.example/blog">Our blog</a></p>
<p><a href="mailto:help@northwind.example">Write to us</a></p>
{% if coupon %}<p>Code: {{ coupon }}</p>{% endif %}`,
  });
}

/** An abandoned cart with three line items and three recommendations. */
export function cartData(seed = 1) {
  const item = (n: number) => ({
    product_id: `p${seed}-${n}`,
    name: `Wool Cushion ${n}`,
    price: 1900 + n * 100,
    quantity: n,
    image_url: `https://cdn.northwind.example/p/${n}.jpg`,
    url: `https://northwind.example/products/cushion-${n}`,
  });
  const product = (n: number) => ({
    id: `r${n}`,
    name: `Linen Throw ${n}`,
    price: 8900,
    image_url: `https://cdn.northwind.example/r/${n}.jpg`,
    handle: `linen-throw-${n}`,
    block: "frequently_bought_together",
    strategy: "frequently_bought_together",
  });
  return {
    cart: {
      id: `cart-${seed}`,
      items: [item(1), item(2), item(3)],
      total: 2000 + 4200 + 6600,
      currency: "USD",
      checkout_url: `https://northwind.example/checkout/recover?cart=cart-${seed}`,
    },
    recommendations: { frequently_bought_together: [product(1), product(2), product(3)] },
  };
}
