"""Demand forecasting from ticket-log history, and the five tables (五表).

Modules: :mod:`forecast.ticket_log` (format, validation, import), :mod:`forecast.store`
(DuckDB history store), :mod:`forecast.calendars`, :mod:`forecast.generator` (simulated
history), :mod:`forecast.models` (scikit-learn style forecasters), :mod:`forecast.backtest`,
:mod:`forecast.five_tables`. Nothing here imports ``optimize`` or ``hallplan``.
"""
