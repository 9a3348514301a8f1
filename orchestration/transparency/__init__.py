"""Cost transparency: drill-down of invoice and chargeback lines to the source files and rows behind them."""
