"""execdocs: run the shell, console and file blocks of Markdown pages, as the built
site shows them, against real containers."""
