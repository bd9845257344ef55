/** A product of the demo catalogue, with Segment spec property names. */
export interface CatalogProduct {
  product_id: string;
  sku: string;
  name: string;
  price: number;
  category: string;
  brand: string;
  description: string;
  /** Background of the product's picture (the demo has no images). */
  color: string;
}

export const CURRENCY = "EUR";

export const catalog: readonly CatalogProduct[] = [
  {
    product_id: "linen-shirt",
    sku: "CW-LS-01",
    name: "Linen Shirt",
    price: 49,
    category: "Shirts",
    brand: "Cartwheel Basics",
    description: "A breathable shirt in washed linen for long summer days.",
    color: "#e9c46a",
  },
  {
    product_id: "canvas-tote",
    sku: "CW-CT-02",
    name: "Canvas Tote",
    price: 19,
    category: "Bags",
    brand: "Cartwheel Basics",
    description: "Heavy cotton canvas, an inner pocket and long handles.",
    color: "#2a9d8f",
  },
  {
    product_id: "wool-beanie",
    sku: "CW-WB-03",
    name: "Wool Beanie",
    price: 25,
    category: "Accessories",
    brand: "Northfold",
    description: "Ribbed merino wool that keeps warm without itching.",
    color: "#e76f51",
  },
  {
    product_id: "trail-sneakers",
    sku: "CW-TS-04",
    name: "Trail Sneakers",
    price: 89,
    category: "Shoes",
    brand: "Northfold",
    description: "Grippy soles and a light upper for city and trail.",
    color: "#264653",
  },
];

export function findProduct(productId: string): CatalogProduct | undefined {
  return catalog.find((product) => product.product_id === productId);
}
