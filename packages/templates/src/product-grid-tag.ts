import type { Context, Emitter, Liquid, TagToken, TopLevelToken, ValueToken } from "liquidjs";
import { evalToken, Hash, Tag, toValueSync } from "liquidjs";

const maxColumns = 4;

/**
 * `{% product_grid cart.items, columns: 2, button: "View", currency: cart.currency, campaign: "abandoned-cart" %}`
 *
 * Renders a table-based grid of product cards (image, title, price, button) from the
 * `product-grid` and `product-card` partials. Accepts cart/order line items or products.
 * Defaults: `columns` 2 (1–4, stacked on phones), no button, the shop currency, no UTM campaign.
 */
export class ProductGridTag extends Tag {
  private readonly items: ValueToken;
  private readonly options: Hash;

  constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
    super(token, remainTokens, liquid);
    const items = this.tokenizer.readValue();
    if (!items) throw new Error(`product_grid needs a list of products: ${token.getText()}`);
    this.items = items;
    this.tokenizer.skipBlank();
    if (this.tokenizer.peek() === ",") this.tokenizer.advance();
    this.options = new Hash(this.tokenizer, liquid.options.keyValueSeparator);
  }

  *render(ctx: Context, emitter: Emitter): Generator<unknown, void, unknown> {
    const items = toValueSync(yield evalToken(this.items, ctx));
    const options = (yield this.options.render(ctx)) as Record<string, unknown>;
    const list = Array.isArray(items) ? items : [];
    if (list.length === 0) return;
    const requested = Math.trunc(Number(options.columns ?? 2)) || 2;
    const columns = Math.min(Math.max(requested, 1), maxColumns, list.length);
    const scope = {
      items: list,
      columns,
      last_column: columns - 1,
      button: options.button ?? null,
      currency: options.currency ?? null,
      campaign: options.campaign ?? null,
    };
    const templates = yield this.liquid._parsePartialFile("product-grid", ctx.sync);
    yield this.liquid.renderer.renderTemplates(
      templates as Parameters<typeof this.liquid.renderer.renderTemplates>[0],
      ctx.spawn(scope),
      emitter,
    );
  }
}
