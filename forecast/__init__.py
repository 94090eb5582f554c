"""Demand forecasting from ticket-log history, and the five tables (五表).

Modules: :mod:`hallplan.forecast.ticket_log` (format, validation, import),
:mod:`hallplan.forecast.store` (DuckDB history store), :mod:`hallplan.forecast.calendars`,
:mod:`hallplan.forecast.generator` (simulated history), :mod:`hallplan.forecast.models`
(scikit-learn style forecasters), :mod:`hallplan.forecast.backtest`,
:mod:`hallplan.forecast.five_tables`. Imports only ``hallplan.sim`` (and itself).
"""
