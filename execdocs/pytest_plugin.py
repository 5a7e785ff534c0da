"""pytest plugin: one test item per Markdown page."""
