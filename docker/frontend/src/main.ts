import "./style.css";
import {
  ApiError,
  createPortfolio,
  getHealth,
  getPortfolio,
  listPortfolios,
  listPositions,
  placeTrade,
  type Portfolio,
  type Position,
  type Side,
} from "./api";
import { byId, el } from "./dom";
import { date, money } from "./format";

const HEALTH_POLL_MS = 5000;

const healthBadge = byId<HTMLParagraphElement>("health");
const portfolioList = byId<HTMLUListElement>("portfolios");
const portfolioForm = byId<HTMLFormElement>("new-portfolio");
const detail = byId<HTMLElement>("detail");
const tradeForm = byId<HTMLFormElement>("new-trade");

let selectedId: number | undefined;

function reason(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "The backend did not answer. Is it running?";
}

async function showHealth(): Promise<void> {
  try {
    const health = await getHealth();
    const failing = Object.entries(health.checks ?? {})
      .filter(([, state]) => state !== "ok")
      .map(([name, state]) => `${name}: ${state}`);
    healthBadge.dataset.state = health.status;
    healthBadge.textContent =
      health.status === "healthy" ? "Backend healthy" : `Backend ${health.status}. ${failing.join(", ")}`;
  } catch (error) {
    healthBadge.dataset.state = "unreachable";
    healthBadge.textContent = reason(error);
  }
}

function portfolioItem(portfolio: Portfolio): HTMLLIElement {
  const button = el(
    "button",
    { type: "button", class: "portfolio", "aria-pressed": String(portfolio.id === selectedId) },
    el("span", { class: "portfolio-name" }, portfolio.name),
    el("span", { class: "portfolio-cash" }, money(portfolio.cash)),
    el("span", { class: "portfolio-date" }, `since ${date(portfolio.created_at)}`),
  );
  button.addEventListener("click", () => void select(portfolio.id));
  return el("li", {}, button);
}

async function showPortfolios(): Promise<void> {
  try {
    const portfolios = await listPortfolios();
    portfolioList.replaceChildren(
      ...(portfolios.length
        ? portfolios.map(portfolioItem)
        : [el("li", { class: "empty" }, "No portfolios yet. Create the first one below.")]),
    );
  } catch (error) {
    portfolioList.replaceChildren(el("li", { class: "empty error" }, reason(error)));
  }
}

function positionRow(position: Position): HTMLTableRowElement {
  return el(
    "tr",
    {},
    el("td", {}, position.symbol),
    el("td", { class: "num" }, String(position.quantity)),
    el("td", { class: "num" }, money(position.average_price)),
    el("td", { class: "num" }, money(position.cost)),
  );
}

async function select(id: number): Promise<void> {
  selectedId = id;
  const [portfolio, positions] = await Promise.all([getPortfolio(id), listPositions(id)]);
  byId("detail-title").textContent = portfolio.name;
  byId("detail-cash").textContent = `Cash ${money(portfolio.cash)}`;
  byId("positions").replaceChildren(
    ...(positions.length
      ? positions.map(positionRow)
      : [el("tr", {}, el("td", { colspan: "4", class: "empty" }, "No positions yet."))]),
  );
  detail.hidden = false;
  await showPortfolios();
}

/** Runs a form's action, showing its error (one line) under the form instead of throwing. */
function handle(form: HTMLFormElement, action: (data: FormData) => Promise<void>): void {
  const error = form.querySelector<HTMLElement>(".form-error")!;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector<HTMLButtonElement>("button[type=submit]")!;
    button.disabled = true;
    error.textContent = "";
    try {
      await action(new FormData(form));
      form.reset();
    } catch (failure) {
      error.textContent = reason(failure);
    } finally {
      button.disabled = false;
    }
  });
}

handle(portfolioForm, async (data) => {
  const created = await createPortfolio(String(data.get("name")), String(data.get("cash")));
  await select(created.id);
});

handle(tradeForm, async (data) => {
  if (selectedId === undefined) return;
  await placeTrade(selectedId, {
    side: String(data.get("side")) as Side,
    symbol: String(data.get("symbol")).trim().toUpperCase(),
    quantity: Number(data.get("quantity")),
    price: String(data.get("price")),
  });
  await select(selectedId);
});

void showHealth();
void showPortfolios();
setInterval(() => void showHealth(), HEALTH_POLL_MS);
