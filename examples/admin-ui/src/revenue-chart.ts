import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from "chart.js";
import { type Bucket, bucketLabel, formatMoney, type Money } from "./analytics.ts";

// Only what a bar chart needs, so esbuild leaves the rest of Chart.js out of the bundle.
Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

export interface RevenueBucket {
  start: string;
  revenue: Money;
  attributedRevenue: Money;
}

/**
 * Draws the period's revenue per bucket with the part attributed to email in front of it (the
 * attributed revenue is part of the total, so the bars overlap instead of standing side by
 * side). Returns the chart, to `destroy()` before drawing the next one on the same canvas.
 */
export function drawRevenueChart(
  canvas: HTMLCanvasElement,
  buckets: RevenueBucket[],
  bucket: Bucket,
  currency: string,
): Chart<"bar"> {
  const money = (value: number) => formatMoney({ amount: String(value) }, currency);
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: buckets.map((b) => bucketLabel(b.start, bucket)),
      datasets: [
        {
          label: "Attributed to email",
          data: buckets.map((b) => Number(b.attributedRevenue.amount)),
          backgroundColor: "#2f6fde",
          borderRadius: 3,
          grouped: false,
          order: 0,
        },
        {
          label: "Total revenue",
          data: buckets.map((b) => Number(b.revenue.amount)),
          backgroundColor: "#c9d7ef",
          borderRadius: 3,
          grouped: false,
          order: 1,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } },
        y: {
          beginAtZero: true,
          border: { display: false },
          grid: { color: "#eef1f5" },
          ticks: { callback: (value) => money(Number(value)), maxTicksLimit: 6 },
        },
      },
      plugins: {
        legend: {
          position: "top",
          align: "end",
          reverse: true,
          labels: { boxWidth: 12, boxHeight: 12, useBorderRadius: true, borderRadius: 2 },
        },
        tooltip: {
          itemSort: (a, b) => b.datasetIndex - a.datasetIndex,
          callbacks: { label: (item) => ` ${item.dataset.label}: ${money(item.parsed.y ?? 0)}` },
        },
      },
    },
  });
}
