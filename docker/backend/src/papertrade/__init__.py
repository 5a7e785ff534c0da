"""PaperTrade: portfolios, trades and positions with play money."""
