/** A products CSV of `count` rows, the same every time: `p-00001`, `p-00002`… */
export function productsCsv(count: number, title = "Product"): string {
  const rows = Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(5, "0");
    return `p-${n},${title} ${n},${(i % 97) + 0.5},Cat ${i % 7} > Sub ${i % 3},${i % 11}`;
  });
  return `id,title,price,category,inventory\n${rows.join("\n")}\n`;
}
