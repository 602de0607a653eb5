"""Module docstring, not a function's."""
import functools


def add(a, b):
    """Return the sum of a and b.

    Works for any numbers.
    """
    return a + b


class Stack(Base):
    '''A stack.'''

    def __init__(self, items=None):
        self.items = list(items or [])

    @property
    def top(self):
        # not a docstring
        return self.items[-1] if self.items else None

    async def drain(self):
        """Empty the stack."""
        while self.items:
            yield self.items.pop()


def outer(xs):
    def inner(x):
        return x * 2
    return [inner(x) for x in xs if x]


def todo():
    raise NotImplementedError
