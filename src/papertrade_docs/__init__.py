"""PaperTrade's own pieces of the docs: macros, measurements, the environment
reference and progress notes. The generic runner lives in `execdocs`."""
