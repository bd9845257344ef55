export type { EmailSource } from "./compile-email.ts";
export { isHtmlDocument } from "./compile-email.ts";
export type { OutputMode, TemplateEngine, TemplateEngineOptions } from "./engine.ts";
export { makeTemplateEngine } from "./engine.ts";
export type { TemplatePart } from "./errors.ts";
export { TemplateErrorKind, TemplateRenderError } from "./errors.ts";
export type { LibraryTemplate } from "./library.ts";
export { libraryTemplates, TemplateKind } from "./library.ts";
export type { TemplateLimits } from "./limits.ts";
export { defaultTemplateLimits } from "./limits.ts";
export { insertOpenPixel, rewriteLinks } from "./links.ts";
export { formatMoney } from "./money.ts";
export type { RenderedEmail } from "./render-email.ts";
export { renderEmail } from "./render-email.ts";
export type {
  AddressData,
  CartData,
  CartItemData,
  ContactData,
  EventData,
  LineItemData,
  OrderData,
  ProductData,
  RecommendedProductData,
  ShopData,
  TemplateData,
} from "./template-data.ts";
export { htmlToPlainText } from "./text-part.ts";
export type { UtmParameters } from "./urls.ts";
export { addQueryParameters, addUtmParameters } from "./urls.ts";
