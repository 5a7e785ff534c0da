"""`make lint` (`cli`) and the project's own checks: the pages' shell blocks for
shellcheck (`blocks`, `shell_words`), portability (`portability`, `build_files`)."""
