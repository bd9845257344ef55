import type { ShopOrder } from "./shop-export.ts";

const day = 24 * 60 * 60 * 1000;

/**
 * Sample orders for the customers in `data/customers.csv`, dated a few days before `now`, so
 * they read as recent activity in segments such as "ordered in the last 30 days".
 *
 * @example sampleOrders(new Date()).length // 4
 */
export function sampleOrders(now = new Date()): ShopOrder[] {
  const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * day).toISOString();
  return [
    {
      id: "ord_5001",
      customer_id: "cus_1001",
      total: 128,
      currency: "EUR",
      completed_at: at(9),
      products: [
        {
          product_id: "linen-shirt",
          sku: "LS-M",
          name: "Linen shirt",
          price: 59,
          quantity: 2,
          category: "Shirts",
        },
        {
          product_id: "canvas-tote",
          sku: "CT-1",
          name: "Canvas tote",
          price: 10,
          quantity: 1,
          category: "Bags",
        },
      ],
    },
    {
      id: "ord_5002",
      customer_id: "cus_1001",
      total: 24,
      currency: "EUR",
      completed_at: at(3),
      products: [
        {
          product_id: "wool-beanie",
          sku: "WB-1",
          name: "Wool beanie",
          price: 24,
          quantity: 1,
          category: "Hats",
        },
      ],
    },
    {
      id: "ord_5003",
      customer_id: "cus_1002",
      total: 89,
      currency: "EUR",
      completed_at: at(5),
      products: [
        {
          product_id: "trail-sneakers",
          sku: "TS-42",
          name: "Trail sneakers",
          price: 89,
          quantity: 1,
          category: "Shoes",
        },
      ],
    },
    {
      id: "ord_5004",
      customer_id: "cus_1004",
      total: 590,
      currency: "EUR",
      completed_at: at(1),
      products: [
        {
          product_id: "linen-shirt",
          sku: "LS-L",
          name: "Linen shirt",
          price: 59,
          quantity: 10,
          category: "Shirts",
        },
      ],
    },
  ];
}
