"""The environment-variable reference: one catalog (docker/environment.yaml), checked
against every place that uses or states a variable, rendered as one table."""
