"""Running checks: the plan, the executors (serial, local or existing Dask), the result cache, seed sweeps."""
