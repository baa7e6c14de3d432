"""Swedish payment numbers: bank accounts (clearing number + account number), bankgiro and
plusgiro, with the check-digit rules the banks publish through Bankgirot ("Bankernas
kontonummeruppbyggnad", https://www.bankgirot.se/).

Norwegian account numbers and IBANs are checked with python-stdnum, which has no Swedish bank
accounts; these rules are short and stable, so they are kept here rather than adding a
dependency for them.
"""

from __future__ import annotations

import bisect

#: (first clearing number, last clearing number, type, comment) as in Bankgirot's table.
#: Type 1: a seven-digit account whose check digit covers the clearing number too (comment 1:
#: its last three digits, comment 2: all four), modulus 11. Type 2: the account alone, comment 1
#: and 3 ten digits modulus 10, comment 2 (Handelsbanken) nine digits modulus 11.
_SE_CLEARING_RANGES = (
    (1100, 1199, 1, 1),
    (1200, 1399, 1, 1),
    (1400, 2099, 1, 1),
    (2300, 2399, 1, 2),
    (2400, 2499, 1, 1),
    (3000, 3299, 1, 1),
    (3300, 3300, 2, 1),  # Nordea personkonto: the account number is the personnummer
    (3301, 3399, 1, 1),
    (3400, 3409, 1, 1),
    (3410, 3781, 1, 1),
    (3782, 3782, 2, 1),  # Nordea personkonto
    (3783, 3999, 1, 1),
    (4000, 4999, 1, 2),
    (5000, 5999, 1, 1),
    (6000, 6999, 2, 2),
    (7000, 7999, 1, 1),
    (8000, 8999, 2, 3),  # Swedbank, written with a fifth clearing digit (8327-9)
    (9020, 9029, 1, 2),
    (9040, 9049, 1, 2),
    (9060, 9069, 1, 1),
    (9070, 9079, 1, 1),
    (9100, 9109, 1, 2),
    (9120, 9124, 1, 1),
    (9130, 9149, 1, 1),
    (9150, 9169, 1, 2),
    (9170, 9179, 1, 1),
    (9180, 9189, 2, 1),
    (9190, 9199, 1, 2),
    (9230, 9239, 1, 1),
    (9250, 9259, 1, 1),
    (9260, 9269, 1, 2),
    (9270, 9279, 1, 1),
    (9280, 9289, 1, 1),
    (9300, 9349, 2, 1),
    (9390, 9399, 1, 2),
    (9400, 9449, 1, 1),
    (9460, 9469, 1, 1),
    (9470, 9479, 1, 2),
    (9500, 9549, 2, 3),
    (9550, 9569, 1, 2),
    (9570, 9579, 2, 1),
    (9580, 9589, 1, 1),
    (9590, 9599, 1, 2),
    (9630, 9639, 1, 1),
    (9640, 9649, 1, 2),
    (9650, 9659, 1, 2),
    (9660, 9669, 1, 2),
    (9670, 9679, 1, 2),
    (9680, 9689, 1, 1),
    (9700, 9709, 1, 2),
    (9710, 9719, 1, 2),
    (9750, 9759, 1, 2),
    (9780, 9789, 1, 2),
    (9880, 9889, 1, 2),
    (9890, 9899, 2, 1),
    (9960, 9969, 2, 3),
)
_FIRSTS = [first for first, *_ in _SE_CLEARING_RANGES]


def luhn_valid(digits):
    """The modulus 10 (Luhn) check over a string of ASCII digits."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def mod11_valid(digits):
    """The banks' modulus 11 check: weights 1, 2, ... 10, 1, ... from the right."""
    total = sum((ord(char) - 48) * (index % 10 + 1) for index, char in enumerate(reversed(digits)))
    return total % 11 == 0


def _clearing_rule(clearing):
    index = bisect.bisect_right(_FIRSTS, clearing) - 1
    if index < 0:
        return None
    first, last, kind, comment = _SE_CLEARING_RANGES[index]
    return (kind, comment) if first <= clearing <= last else None


def se_account_valid(clearing, account):
    """Whether ``clearing`` (four digits, or five for Swedbank's 8xxx-x) and ``account`` (its
    digits) form a Swedish bank account number that passes its bank's check."""
    if not (clearing.isascii() and clearing.isdigit() and account.isascii() and account.isdigit()):
        return False
    if len(clearing) not in (4, 5) or (len(clearing) == 5 and clearing[0] != "8"):
        return False
    rule = _clearing_rule(int(clearing[:4]))
    if rule is None:
        return False
    kind, comment = rule
    if kind == 1:
        if len(account) != 7:
            return False
        return mod11_valid((clearing[1:4] if comment == 1 else clearing[:4]) + account)
    if comment == 2:
        return len(account) == 9 and mod11_valid(account)
    return 7 <= len(account) <= 10 and luhn_valid(account.rjust(10, "0"))


def bankgiro_valid(digits):
    """A bankgiro number: seven or eight digits, the last a Luhn check digit."""
    return 7 <= len(digits) <= 8 and digits.isascii() and digits.isdigit() and luhn_valid(digits)


def plusgiro_valid(digits):
    """A plusgiro number: two to eight digits, the last a Luhn check digit."""
    return 2 <= len(digits) <= 8 and digits.isascii() and digits.isdigit() and luhn_valid(digits)
