"""Built-in experiments: sweeps over matched seeds that test the ideas alife is built on.

Each experiment is a sweep file in ``configs/experiments/<name>.yaml`` (run through the
sweep machinery, so on the process pool or Dask) plus an analysis that turns the runs into
a table with 95 % confidence intervals over seeds and, with the ``plot`` extra, figures:

    ablations   full agent vs learning off / curiosity off / affect off, stationary and seasonal
                world
    baldwin     evolution with lifetime learning vs without: fitness rise, innate prediction error
    curiosity_noise  raw-surprise vs learning-progress curiosity in a world with noise patches
    cohort      blank founders that learn vs frozen ones, against scripted greedy and random
                controls
    hazards     the same four in a world of drifting hazards: who learns to avoid them
    individuality  clones in one world: does affect with memory make individuals of them?
two-stage (evolve every condition from the same founders, then test the evolved populations
on fresh worlds: alife.experiments.stages):
    learning_pays  food kinds dealt anew each generation: evolved learners vs non-learners
    delayed_harm   poison that harms D ticks after eating: is a higher discount evolved?
    noisy_tv       unlearnable noise: where evolved surprise / progress / no-curiosity agents stand
    volatility     food whose worth flips within a life: affect on vs off vs evolved constants
    assimilation   a fixed deal: innate worth and innate model error over generations (Baldwin)

``alife experiment NAME [--seeds N] [--workers N | --scheduler ADDR] [--out DIR]``; the Python
entry point is :func:`alife.experiments.runner.run_experiment`.
"""

EXPERIMENTS = ("ablations", "baldwin", "curiosity_noise", "cohort", "hazards", "individuality",
               "learning_pays", "delayed_harm", "noisy_tv", "volatility", "assimilation")
