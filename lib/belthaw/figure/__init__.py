"""Figure finishing and files: ``finish`` (title, source line, data date on the figure),
``files`` (atomic writes, the outputs protocol), ``sidecar`` (``<name>.md`` and the folder
index), ``save`` (every format, reproducible bytes, provenance in the metadata).
"""
