"""Cell values as text, shared by the spreadsheet readers (XLSX, ODS, CSV)."""

from __future__ import annotations

import datetime
import re

_DIGIT_FORMAT = re.compile(r"[0 -]*0[0 -]*")


def cell_text(value, number_format=""):
    """The text of a cell value as the scanner should read it.

    Numbers are written as digits: an ID number stored as a number is 15039112345, not
    1.5039112345E10, and a number format of zeros ("00000000000", how a fødselsnummer keeps its
    leading zero in Excel) is applied as the spreadsheet shows it. A ten-digit number that is a
    fødselsnummer with its leading zero lost is read with the zero.
    """
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e17:
        value = int(value)
    if isinstance(value, int):
        return lost_zero(_formatted(str(value), number_format or ""))
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def lost_zero(digits):
    """``digits`` with the leading zero a Norwegian identity number lost by being typed into a
    spreadsheet as a number (born on the 1st to the 9th of a month: one in three), when the
    eleven digits it makes pass both check digits; otherwise as they are."""
    if len(digits) != 10:
        return digits
    # late: the scanner's module loads its word lists, which the sandbox child otherwise skips
    from publishing.content_checks.personal_data import no_national_id_subtype

    return "0" + digits if no_national_id_subtype("0" + digits) else digits


def _formatted(digits, number_format):
    """``digits`` placed in a format of zeros, spaces and hyphens ("00000000000", "000000 00000")
    with the leading zeros the value lost by being stored as a number."""
    number_format = number_format.replace("\\", "").replace('"', "")
    zeros = number_format.count("0")
    if digits.startswith("-") or zeros <= len(digits) or not _DIGIT_FORMAT.fullmatch(number_format):
        return digits
    padded = iter(digits.zfill(zeros))
    return "".join(next(padded) if char == "0" else char for char in number_format)


def column_letters(index):
    """The letters of 1-based column ``index``: 1 A, 27 AA (any size: ODS repeats count)."""
    letters = ""
    while index > 0:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
