// Money arrives as decimal strings; formatting keeps them exact (no float rounding).

export function money(amount: string): string {
  const [whole, fraction = ""] = amount.split(".");
  const negative = whole.startsWith("-");
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = (fraction + "00").slice(0, Math.max(2, fraction.replace(/0+$/, "").length));
  return `${negative ? "−" : ""}$${grouped}.${cents}`;
}

export function date(iso: string): string {
  return new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" });
}
