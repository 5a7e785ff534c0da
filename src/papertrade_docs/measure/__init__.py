"""`make measure`: build every image, time the running stack, write the data file.

The pieces, one job each: `dockerignore` and `context_hash` (what a build sees),
`dockerfile` and `compose_builds` (what each image is built from), `docker_cli`
(the engine: its answers through the Docker SDK, builds and Compose through the CLI),
`progress` (what the reader of the terminal sees), `build_images` and
`stack_timing` (the measurements), `throwaway_env` (secrets for one run), `cli`;
`installers` (with installers.Dockerfile): the one-off comparison of pip and uv;
`swarm_update` and `platform_builds` (`--swarm`, `--platform`).

What the measurements are about and how they are read, beside them: `images` (the
images, their budgets, sizes stated elsewhere), `measurements` (the data file: read,
checked, written), `figure_text` (a figure as the pages and the summary write it).
`bench_docs` is `make bench`'s docs side (docs/data/bench_docs.json).
"""
