"""The zip container of DOCX, XLSX, ODT and ODS, inspected before anything in it is parsed.

A zip says in its central directory how many entries it has and how large each one is
unpacked. A zip bomb claims a lot (or very much from very little), and that is refused before a
byte is inflated. The claims cannot be larger than the truth where it matters: Python's zipfile
stops inflating an entry at its declared size, so nothing reads more than was checked here.
"""

from __future__ import annotations

import struct
import zipfile

from publishing.content_checks.documents.limits import ZIP_RATIO_FROM
from publishing.content_checks.documents.model import Unreadable

#: An OLE compound file: what Office writes for a password-protected DOCX or XLSX (and for the
#: old binary .doc and .xls).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD_SIZE = 22
# Bytes a central directory may take per entry: the fixed 46 plus a generous name and extras.
_CD_BYTES_PER_ENTRY = 46 + 300

# Stream names in an OLE directory, UTF-16: an encrypted OOXML package has these two; a legacy
# Word or Excel file has its own and none of them.
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))
_LEGACY_STREAMS = ("WordDocument".encode("utf-16-le"), "Workbook".encode("utf-16-le"))


def ole_reason(path):
    """Why an OLE file in place of an OOXML zip cannot be read: "encrypted" unless it is plainly
    a legacy binary document (.doc or .xls renamed), which is "unsupported"."""
    with open(path, "rb") as handle:
        head = handle.read(1_000_000)
    if any(name in head for name in _ENCRYPTED_STREAMS):
        return "encrypted"
    if any(name in head for name in _LEGACY_STREAMS):
        return "unsupported"
    return "encrypted"


def _end_record(handle, size):
    """(entries, central directory size) from the end of central directory record."""
    tail_size = min(size, 65_535 + _EOCD_SIZE)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_EOCD)
    if at < 0 or at + _EOCD_SIZE > len(tail):
        raise Unreadable("corrupt")
    _sig, _disk, _cd_disk, _here, entries, cd_size, _offset, _comment = struct.unpack(
        "<4s4H2LH", tail[at : at + _EOCD_SIZE]
    )
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        # Zip64: the real counts are in the zip64 record the locator before this one points to.
        locator = tail[at - 20 : at] if at >= 20 else b""
        if not locator.startswith(_EOCD64_LOCATOR):
            raise Unreadable("corrupt")
        (offset,) = struct.unpack("<Q", locator[8:16])
        handle.seek(offset)
        record = handle.read(56)
        if len(record) < 56 or not record.startswith(b"PK\x06\x06"):
            raise Unreadable("corrupt")
        entries, cd_size = struct.unpack("<QQ", record[32:48])
    return entries, cd_size


def open_zip(path, limits):
    """The checked ``zipfile.ZipFile`` of ``path``, or ``Unreadable``: "encrypted" (an OLE file,
    or encrypted entries), "zip_bomb" (too many entries, too much unpacked, an entry that
    inflates more than ``max_zip_ratio`` times) or "corrupt"."""
    with open(path, "rb") as handle:
        head = handle.read(8)
        if head.startswith(OLE_MAGIC):
            raise Unreadable(ole_reason(path))
        if not head.startswith(ZIP_MAGIC):
            raise Unreadable("corrupt")
        handle.seek(0, 2)
        entries, cd_size = _end_record(handle, handle.tell())
    # Refuse a huge directory before zipfile reads it into a list of objects.
    if entries > limits.max_zip_entries or cd_size > limits.max_zip_entries * _CD_BYTES_PER_ENTRY:
        raise Unreadable("zip_bomb")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as error:
        raise Unreadable("corrupt") from error
    try:
        infos = archive.infolist()
        if len(infos) > limits.max_zip_entries:
            raise Unreadable("zip_bomb")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise Unreadable("encrypted")
            total += info.file_size
            if info.file_size > ZIP_RATIO_FROM and info.file_size > limits.max_zip_ratio * max(
                info.compress_size, 1
            ):
                raise Unreadable("zip_bomb")
        if total > limits.max_unzipped_bytes:
            raise Unreadable("zip_bomb")
    except BaseException:
        archive.close()
        raise
    return archive


def read_entry(archive, name, default=None):
    """The bytes of entry ``name``, or ``default`` when the zip has none."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return default
    return archive.read(info)
