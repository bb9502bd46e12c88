"""Streaming CSV in blocks: bounded memory and the same text as line by line."""

from activities.export import STREAM_BLOCK_CHARACTERS, blocks, csv_lines


def test_blocks_join_to_same_text():
    lines = list(csv_lines(["a", "b"], [(str(number), "x" * 50) for number in range(5000)]))
    assert "".join(blocks(lines)) == "".join(lines)


def test_blocks_bounded_in_size():
    lines = ["y" * 99 + "\n"] * 5000
    sizes = [len(block) for block in blocks(lines)]
    assert max(sizes) < STREAM_BLOCK_CHARACTERS + 100


def test_blocks_group_many_lines():
    lines = ["y" * 99 + "\n"] * 5000
    assert len(list(blocks(lines))) == -(-5000 * 100 // STREAM_BLOCK_CHARACTERS)


def test_blocks_empty():
    assert list(blocks([])) == []
