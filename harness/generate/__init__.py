"""``harness generate``: new complaint cases written by a model from seed cases or a persona x category grid,
kept only when they pass the gates (:mod:`harness.generate.quality`), with their provenance in
``metadata.generated``. Entry point: :func:`harness.generate.command.run_generate`."""
