"""The split of pages over shards: balanced by recorded durations, deterministic, every
page in exactly one shard, pages without a duration placed; `I/N` read strictly."""

import itertools
import random

import pytest

from execdocs.shards import Shard, split

SECONDS = {"docs/dev.md": 133.5, "docs/prod.md": 110.9, "docs/trouble.md": 79.2,
           "docs/proxies.md": 69.9, "docs/images.md": 49.0, "docs/quick.md": 46.2,
           "docs/env.md": 22.7, "docs/note.md": 15.5, "docs/index.md": 11.1,
           "docs/progress.md": 0.1}


def loads(shares, seconds=SECONDS):
    return [sum(seconds[name] for name in share) for share in shares]


@pytest.mark.parametrize("count", [1, 2, 3, 4, 10, 12])
def test_every_page_is_in_exactly_one_shard(count):
    shares = split(SECONDS, SECONDS, count)
    assert len(shares) == count
    everything = list(itertools.chain.from_iterable(shares))
    assert sorted(everything) == sorted(SECONDS)  # each once: no page lost, none twice


def test_the_split_is_balanced_by_duration_not_by_count():
    shares = split(SECONDS, SECONDS, 2)
    first, second = loads(shares)
    # 538 s in all: the two halves within one small page of each other, although the
    # long pages make the halves' page counts differ.
    assert abs(first - second) < 15
    # A split by count alone (every other page by name) is far off on these pages.
    by_count = [sorted(SECONDS)[0::2], sorted(SECONDS)[1::2]]
    assert abs(loads(by_count)[0] - loads(by_count)[1]) > 3 * abs(first - second)


def test_the_longest_page_alone_sets_the_floor():
    seconds = {"long.md": 100.0, "a.md": 10.0, "b.md": 10.0, "c.md": 10.0}
    shares = split(seconds, seconds, 2)
    assert shares == [["long.md"], ["a.md", "b.md", "c.md"]]


def test_the_same_inputs_give_the_same_split_in_any_order():
    names = list(SECONDS)
    expected = split(names, SECONDS, 3)
    for seed in range(20):
        random.Random(seed).shuffle(names)
        shuffled = dict(random.Random(seed + 1).sample(list(SECONDS.items()), len(SECONDS)))
        assert split(names, shuffled, 3) == expected


def test_a_page_without_a_recorded_duration_counts_as_a_typical_page():
    seconds = {name: value for name, value in SECONDS.items() if name != "docs/quick.md"}
    shares = split(SECONDS, seconds, 2)
    assert sorted(itertools.chain.from_iterable(shares)) == sorted(SECONDS)
    assert sum("docs/quick.md" in share for share in shares) == 1


def test_with_no_durations_at_all_the_pages_are_shared_evenly():
    names = [f"page{k}.md" for k in range(7)]
    shares = split(names, {}, 3)
    assert sorted(len(share) for share in shares) == [2, 2, 3]
    assert sorted(itertools.chain.from_iterable(shares)) == names


def test_more_shards_than_pages_leaves_some_shards_empty():
    shares = split(["a.md", "b.md"], {}, 3)
    assert shares == [["a.md"], ["b.md"], []]


@pytest.mark.parametrize("text, index, count", [("1/2", 1, 2), ("2/2", 2, 2), ("1/1", 1, 1),
                                                (" 3/10 ", 3, 10)])
def test_a_shard_is_written_i_of_n(text, index, count):
    assert Shard.parse(text) == Shard(index, count)
    assert str(Shard.parse(text)) == f"{index}/{count}"


@pytest.mark.parametrize("text, says", [
    ("0/2", "from 1 to the number of shards (2)"),
    ("3/2", "from 1 to the number of shards (2)"),
    ("1/0", "from 1 to the number of shards (1)"),
    ("x", "write it I/N"),
    ("1/2/3", "write it I/N"),
    ("-1/2", "write it I/N"),
    ("", "write it I/N"),
])
def test_bad_input_is_one_clear_line(text, says):
    with pytest.raises(ValueError) as raised:
        Shard.parse(text)
    message = str(raised.value)
    assert says in message and "\n" not in message
    assert message.startswith(f"--execdocs-shard {text!r}:")
