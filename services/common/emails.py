"""One rule for email addresses across the suite: which are accepted, and when two are the same.

Accepted: an RFC 5322 dot-atom mailbox (at most 64 characters) at a domain of letter-digit-hyphen
labels with an alphabetic (or ``xn--``) top level, 254 characters in all, ASCII only. Quoted
mailboxes and internationalised addresses are refused on purpose: nobody verifies an address
here, and a Cyrillic "а" in ``аdmin@qabilet.kz`` would pass for a Latin one on every screen that
shows it. A non-Latin domain is accepted in its ``xn--`` (punycode) form, which shows what it is.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

MAX_LENGTH = 254
MAX_MAILBOX = 64

_MAILBOX = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_TOP_LEVEL = re.compile(r"^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$")


def email_problem(value: str) -> str | None:
    """Return why ``value`` is not an acceptable email address, or None if it is."""
    address = value.strip()
    if len(address) > MAX_LENGTH:
        return f"an email address has at most {MAX_LENGTH} characters"
    mailbox, at, domain = address.rpartition("@")
    if not at or not mailbox or not domain:
        return "not an email address: give a mailbox, one @ and a domain"
    if not address.isascii():
        return "write the address in Latin letters (a non-Latin domain in its xn-- form)"
    if len(mailbox) > MAX_MAILBOX or not _MAILBOX.match(mailbox):
        return "the part before @ is not a valid mailbox name"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return "the part after @ is not a valid domain"
    if not _TOP_LEVEL.match(labels[-1]):
        return "the domain needs a top level such as .kz"
    return None


def check_email(value: str) -> str:
    """Return the address without surrounding spaces, or raise ValueError saying what is wrong."""
    problem = email_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value.strip()


def email_key(value: str) -> str:
    """Return the form addresses are compared and kept unique in (case-insensitive)."""
    return value.strip().lower()


Email = Annotated[str, StringConstraints(max_length=MAX_LENGTH), AfterValidator(check_email)]
"""An email address as written (spelling kept), valid by the suite's one rule."""

EmailKey = Annotated[Email, AfterValidator(email_key)]
"""An email address in its comparison form: accounts are stored under it."""
