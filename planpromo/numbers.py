"""Reading a number a client typed (an id, a year, a program number) from a query string or a URL."""

# The largest value of a 64-bit signed integer, the widest column here (BigAutoField ids): the drivers refuse a
# larger parameter (SQLite with OverflowError), so a larger number is no object's.
MAX_ID = 2**63 - 1


def as_id(text) -> int | None:
    """The number `text` spells in ASCII digits, if a database integer can hold it; else None.

    `str.isdigit()` alone lets through "²", which `int()` refuses, and "٣", which it reads as 3."""
    text = str(text)
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
