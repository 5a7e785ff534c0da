// The backend's HTTP API, as the page uses it. Paths are relative: the Vite dev server
// (development) and nginx (production) proxy /api and /health to the backend.

export interface Health {
  status: string;
  checks?: Record<string, string>;
}

export interface Portfolio {
  id: number;
  name: string;
  cash: string;
  created_at: string;
}

export interface Position {
  symbol: string;
  quantity: number;
  average_price: string;
  cost: string;
}

export type Side = "buy" | "sell";

export interface TradeRequest {
  symbol: string;
  side: Side;
  quantity: number;
  price: string;
}

export interface Trade extends TradeRequest {
  id: number;
  portfolio_id: number;
  amount: string;
  executed_at: string;
  cash_after: string;
}

/** An answer the backend gave, but not the one asked for; `message` is for people. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Detail = string | { msg: string; loc?: (string | number)[] }[];

function describe(detail: Detail | undefined, fallback: string): string {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((item) => `${item.loc?.at(-1) ?? "request"}: ${item.msg}`).join("; ");
  }
  return fallback;
}

async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("Accept", "application/json");
  if (init.body !== undefined) headers.set("Content-Type", "application/json");
  const response = await fetch(path, { ...init, headers });
  const body = await response.json().catch(() => undefined);
  if (!response.ok) {
    const fallback = `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, describe(body?.detail, fallback));
  }
  return body as T;
}

/** /health answers 503 with a body when a dependency is down: that is still an answer. */
export async function getHealth(): Promise<Health> {
  const response = await fetch("/health", { headers: { Accept: "application/json" } });
  const body = await response.json().catch(() => undefined);
  if (body && typeof body.status === "string") return body as Health;
  throw new ApiError(response.status, `/health answered ${response.status}`);
}

/** 128 random bits; crypto.randomUUID() exists only on HTTPS and localhost pages. */
function idempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export const listPortfolios = () => request<Portfolio[]>("/api/portfolios");

export const createPortfolio = (name: string, cash: string) =>
  request<Portfolio>("/api/portfolios", { method: "POST", body: JSON.stringify({ name, cash }) });

export const getPortfolio = (id: number) => request<Portfolio>(`/api/portfolios/${id}`);

export const listPositions = (id: number) => request<Position[]>(`/api/portfolios/${id}/positions`);

export const placeTrade = (id: number, trade: TradeRequest) =>
  request<Trade>(`/api/portfolios/${id}/trades`, {
    method: "POST",
    body: JSON.stringify(trade),
    // One key per submitted form: a retried request cannot trade twice.
    headers: { "Idempotency-Key": idempotencyKey() },
  });
