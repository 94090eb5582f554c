"""Reports: HTML/Markdown pages, PNG charts and CSV/XLSX tables written into an output folder.

One module per report (``simulation``, ``forecast``, ``requirement``, ``roster``, ``plan``,
``whatif``, ``region`` with ``region_tables`` and ``region_charts``); ``html`` holds the few
HTML pieces they share. Figures are built with
matplotlib's object-oriented :class:`~matplotlib.figure.Figure` API (no global backend is
chosen on import, so charts show in notebooks and files are written the same everywhere).
"""
