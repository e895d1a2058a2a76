"""Pure transforms: DataFrames of the data layer in, frames ready to chart out.

``common`` (date windows, id lists) <- ``timeline`` (release series, counting rules,
stock) <- ``sanctions``, ``exchanges``, ``claims``. No I/O, no plotting.
"""
