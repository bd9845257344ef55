import type { Executor } from "../../db.ts";
import type { CartStatusName } from "./record-carts.ts";

/** A cart line as templates render it (prices in minor units of the cart's currency). */
export interface CartItemData {
  product_id: string;
  sku: string | null;
  name: string;
  /** The catalog's current unit price, else the price the shopper saw. */
  price: number;
  /** The catalog's price before a discount, if it has one. */
  compare_at_price: number | null;
  quantity: number;
  image_url: string | null;
  url: string | null;
  variant: string | null;
  /** False when the catalog says it is out of stock or archived. */
  in_stock: boolean;
}

/** A cart as templates render it (the template library's `CartData`), with its status. */
export interface CartTemplateData {
  id: string;
  items: CartItemData[];
  total: number;
  currency: string;
  checkout_url: string;
  status: CartStatusName;
}

interface LineRow {
  status: CartStatusName;
  currency: string;
  checkout_url: string | null;
  product_id: string | null;
  sku: string | null;
  name: string | null;
  price: number | null;
  compare_at_price: number | null;
  quantity: number | null;
  image_url: string | null;
  url: string | null;
  variant: string | null;
  in_stock: boolean | null;
}

/**
 * The contact's cart with the shop's `cart_id`, as the email of a cart-keyed scenario run
 * shows it: the cart's current lines with the catalog's current name, price, compare-at
 * price, image, link and stock (of the line's variant when the catalog has it), falling back to
 * what the shopper saw for products the catalog does not know or prices in another currency.
 * `total` is the lines' sum at those prices. A cart the contact does not have is an empty
 * ACTIVE one in `defaultCurrency`, so templates can always read `cart.items`.
 *
 * @example const cart = await loadCartTemplateData(tx, workspaceId, contactId, "cart_77", "EUR")
 */
export async function loadCartTemplateData(
  executor: Executor,
  workspaceId: string,
  contactId: string,
  shopCartId: string,
  defaultCurrency: string,
): Promise<CartTemplateData> {
  const rows = await executor.$queryRaw<LineRow[]>`
    SELECT c.status::text AS status, c.currency, c.checkout_url,
           l.shop_product_id AS product_id, coalesce(v.sku, l.sku, p.sku) AS sku,
           coalesce(p.title, l.title, l.shop_product_id) AS name,
           coalesce(CASE WHEN p.currency = c.currency THEN coalesce(v.price, p.price) END,
                    l.price)::float8 AS price,
           (CASE WHEN p.currency = c.currency
                 THEN coalesce(v.compare_at_price, p.compare_at_price) END)::float8 AS compare_at_price,
           l.quantity, coalesce(p.image_url, l.image_url) AS image_url,
           coalesce(p.url, l.url) AS url, coalesce(v.title, l.variant) AS variant,
           CASE WHEN l.id IS NULL THEN NULL
                ELSE coalesce(v.in_stock, p.in_stock, true) AND p.status IS DISTINCT FROM 'ARCHIVED'
           END AS in_stock
      FROM carts c
      LEFT JOIN cart_lines l ON l.cart_id = c.id
      LEFT JOIN products p ON p.workspace_id = c.workspace_id AND p.shop_product_id = l.shop_product_id
      LEFT JOIN product_variants v ON v.product_id = p.id AND v.shop_variant_id = l.shop_variant_id
     WHERE c.workspace_id = ${workspaceId}::uuid AND c.shop_cart_id = ${shopCartId}
       AND c.contact_id = ${contactId}::uuid
     ORDER BY l.position`;
  const [first] = rows;
  if (!first) {
    return {
      id: shopCartId,
      items: [],
      total: 0,
      currency: defaultCurrency,
      checkout_url: "",
      status: "ACTIVE",
    };
  }
  const items = rows.flatMap((row): CartItemData[] =>
    row.product_id === null
      ? []
      : [
          {
            product_id: row.product_id,
            sku: row.sku,
            name: row.name ?? row.product_id,
            price: row.price ?? 0,
            compare_at_price: row.compare_at_price,
            quantity: row.quantity ?? 1,
            image_url: row.image_url,
            url: row.url,
            variant: row.variant,
            in_stock: row.in_stock ?? true,
          },
        ],
  );
  return {
    id: shopCartId,
    items,
    total: items.reduce((sum, item) => sum + item.price * item.quantity, 0),
    currency: first.currency,
    checkout_url: first.checkout_url ?? "",
    status: first.status,
  };
}
