"""The pages' macros, one module per kind of figure or table; `main` is what mkdocs.yml
loads (`define_env`)."""
