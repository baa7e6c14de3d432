"""Whether a text holds anything a reader can see.

A required text (the legal basis of an exempt page, a leader's reason for a warning, the reason
for a crisis fast track) is missing when a reader would see nothing, even if the string is not
empty. ``str.strip()`` removes whitespace only; text pasted from Word, Outlook, PDFs or typed
through an API may also hold format characters (zero-width space U+200B, word joiner U+2060,
byte-order mark U+FEFF, direction marks, soft hyphens), which ``strip()`` keeps.

A character is invisible here when its Unicode category is

* ``Cf`` (format), ``Zs`` (space separators), ``Zl`` (line separator), ``Zp`` (paragraph
  separator), ``Cc`` (control characters, tab and line breaks included) or ``Cs`` (a lone
  surrogate, which cannot be shown at all); or
* one of the few letters and symbols that are drawn as nothing: the Hangul fillers (U+115F,
  U+1160, U+3164, U+FFA0, "default ignorable" in the Unicode database though their category is
  ``Lo``) and the blank Braille pattern U+2800.

A combining mark (``Mn``, ``Me``) counts only on a visible character: marks standing alone, at
the start or after invisible characters only, count as nothing.

Plain Python, no Django: the rule engine, the forms and the models all use it.
"""

import unicodedata

#: Unicode categories of characters a reader does not see.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Zs", "Zl", "Zp", "Cc", "Cs"})

#: Characters of other categories that are drawn as nothing.
BLANK_CHARACTERS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"})

#: Combining marks: they count on a visible character, not alone.
MARK_CATEGORIES = frozenset({"Mn", "Me"})


def is_invisible(char):
    """Whether the single character ``char`` shows nothing by itself (marks aside)."""
    return char in BLANK_CHARACTERS or unicodedata.category(char) in INVISIBLE_CATEGORIES


def _shows(char):
    """Whether ``char`` is a visible character that is not a combining mark."""
    if char in BLANK_CHARACTERS:
        return False
    category = unicodedata.category(char)
    return category not in INVISIBLE_CATEGORIES and category not in MARK_CATEGORIES


def has_visible_text(value):
    """Whether ``value`` holds at least one character a reader sees.

    ``None`` and the empty string hold none; other values are read as their ``str()``. Any
    visible character will do: a combining mark is visible only on one, so a string without a
    visible base character holds nothing either.
    """
    if value is None:
        return False
    value = value if isinstance(value, str) else str(value)
    if value.isascii():  # the usual case: printable ASCII other than the space is visible
        return any(" " < char < "\x7f" for char in value)
    return any(_shows(char) for char in value)


def visible_or_empty(value):
    """``value`` without the invisible characters at its start and end, or ``""`` when nothing
    visible is left (see the module's note). Characters inside the text stay as written."""
    if not has_visible_text(value):
        return ""
    value = value if isinstance(value, str) else str(value)
    start = 0
    while not _shows(value[start]):  # stops: there is a visible character
        start += 1
    end = len(value)
    while is_invisible(value[end - 1]):  # marks at the end sit on the text before them
        end -= 1
    return value[start:end]
