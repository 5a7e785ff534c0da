"""The Docker SDK's low-level API faked at its boundary, for unit tests with no engine."""

from __future__ import annotations


class FakeAPI:
    """The SDK's low-level API (`client.api`) as the engine answers it, recording calls."""

    def __init__(self, **answers):
        self.answers = answers
        self.calls: list[tuple] = []
        self.api = self  # also the client: `client.api` is itself

    def _answer(self, name, *args, **kwargs):
        self.calls.append((name, *args, *sorted(kwargs.items())))
        answer = self.answers.get(name)
        if isinstance(answer, Exception):
            raise answer
        return answer(*args) if callable(answer) else answer

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self._answer(name, *args, **kwargs)
