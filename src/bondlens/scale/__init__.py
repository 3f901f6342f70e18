"""`bondlens classify --engine dask`: the learned model over millions of dialogues on a Dask cluster.

The input (JSON Lines, optionally gzip-compressed, or Parquet) is cut into partitions of bounded size; each worker
loads the model once and scores whole partitions into part files beside the output; the run records each finished
partition in a small state file, so ``--resume`` skips them; the parts are assembled, in input order, at the end.
"""

from bondlens.scale.partitions import Partition, input_kind, output_kind, plan_partitions
from bondlens.scale.run import BadLine, DaskSummary, classify_dask

__all__ = ["BadLine", "DaskSummary", "Partition", "classify_dask", "input_kind", "output_kind", "plan_partitions"]
