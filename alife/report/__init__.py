"""Reports: ``alife report RUN_DIR|SWEEP_DIR`` writes PNG plots and a one-page report.

- :mod:`alife.report.stats`       pure numpy statistics (CIs over seeds, paired differences,
                                  Kaplan–Meier), reusable by experiments
- :mod:`alife.report.data`        reading run and sweep folders into numpy columns
- :mod:`alife.report.family`      family trees from the lineage table; Newick export
- :mod:`alife.report.plotting`    lazy matplotlib (Agg) and shared figure helpers
- :mod:`alife.report.run_report`  the plots of one run (``alife run`` / ``alife evolve``)
- :mod:`alife.report.sweep_report` the plots of a sweep folder (``results.csv``)
- :mod:`alife.report.page`        report.html and report.md
- :mod:`alife.report.build`       ``make_report(folder, out)``: detect the folder kind, draw, write
- :mod:`alife.report.cli`         the ``alife report`` subcommand

Only the plotting modules need matplotlib (the ``plot`` extra); the rest is numpy.
"""
