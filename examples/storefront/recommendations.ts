/** Where the storefront's server asks the Cartwheel API for recommendations. */
export interface RecommendationsApi {
  apiUrl: string;
  /** A secret key with `recommendations:read` and `catalog:read`; it never leaves the server. */
  secretKey: string;
  /** Default 2000: a slow API costs the page the block, not the page. */
  timeoutMs?: number;
}

/** A recommended product as the API describes it, its link ready for attribution. */
export interface RecommendedProduct {
  productId: string;
  title: string;
  sku: string | null;
  brand: string | null;
  category: string | null;
  imageUrl: string | null;
  /** The product page with `cw_block` and `cw_strategy`, like the product blocks in mails. */
  href: string;
  /** Major units as the API gives them ("49.00") and their currency. */
  price: { amount: string; currency: string } | null;
  /** What chose it: `frequently_bought_together`, or `bestsellers` for a filler. */
  strategy: string;
}

/** The block name the links carry in `cw_block`. */
export const FREQUENTLY_BOUGHT_TOGETHER_BLOCK = "frequently_bought_together";

const query = `query StorefrontRecommendations($productIds: [String!], $limit: Int) {
  recommendations(strategy: FREQUENTLY_BOUGHT_TOGETHER, productIds: $productIds, limit: $limit) {
    __typename
    ... on QueryRecommendationsSuccess {
      data {
        items {
          strategy
          product { productId title sku brand category imageUrl url price { amount currency } }
        }
      }
    }
    ... on Error { message }
  }
}`;

interface ApiItem {
  strategy: string;
  product: Omit<RecommendedProduct, "href" | "strategy" | "title"> & {
    title: string | null;
    url: string | null;
  };
}

interface ApiAnswer {
  data?: {
    recommendations?: {
      __typename: string;
      message?: string;
      data?: { items: ApiItem[] };
    };
  };
  errors?: { message: string }[];
}

/**
 * The product's own page (or the storefront's, when the catalog has no URL for it) with the
 * block and strategy that recommended it.
 * @example attributedLink(null, "canvas-tote", "bestsellers")
 * // "/products/canvas-tote?cw_block=frequently_bought_together&cw_strategy=bestsellers"
 */
export function attributedLink(url: string | null, productId: string, strategy: string): string {
  const base = "http://storefront.invalid";
  const link = new URL(url ?? `/products/${encodeURIComponent(productId)}`, base);
  link.searchParams.set("cw_block", FREQUENTLY_BOUGHT_TOGETHER_BLOCK);
  link.searchParams.set("cw_strategy", strategy);
  return link.origin === base ? `${link.pathname}${link.search}${link.hash}` : link.href;
}

/**
 * Asks the API which products are bought together with `productIds`, best first (bestsellers
 * fill a short list). Throws with the API's message when the call fails or is refused.
 * @example await frequentlyBoughtTogether({ apiUrl, secretKey }, ["linen-shirt"], 4)
 */
export async function frequentlyBoughtTogether(
  api: RecommendationsApi,
  productIds: readonly string[],
  limit: number,
): Promise<RecommendedProduct[]> {
  const response = await fetch(new URL("/graphql", api.apiUrl), {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${api.secretKey}` },
    body: JSON.stringify({ query, variables: { productIds, limit } }),
    signal: AbortSignal.timeout(api.timeoutMs ?? 2000),
  });
  if (!response.ok) throw new Error(`recommendations: HTTP ${response.status}`);
  const answer = (await response.json()) as ApiAnswer;
  const result = answer.data?.recommendations;
  if (!result?.data) {
    const reason = result?.message ?? answer.errors?.map((error) => error.message).join("; ");
    throw new Error(`recommendations: ${result?.__typename ?? "error"}: ${reason}`);
  }
  return result.data.items.map(({ strategy, product }) => {
    const chosenBy = strategy.toLowerCase();
    const { url, ...fields } = product;
    return {
      ...fields,
      title: product.title ?? product.productId,
      href: attributedLink(url, product.productId, chosenBy),
      strategy: chosenBy,
    };
  });
}
