"""mkdocs-macros entry point: the variables and macros pages may use."""


def define_env(env):  # noqa: D103 - mkdocs-macros hook
    pass
