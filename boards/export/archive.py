"""Pack the files into a ZIP with one top folder, as people expect a download to unpack."""

from __future__ import annotations

import io
import zipfile

# A fixed timestamp makes two exports of the same board byte-identical.
_EPOCH = (2020, 1, 1, 0, 0, 0)


def build_zip(files: dict[str, bytes], folder: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in sorted(files.items()):
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            # Scripts keep their execute bit when unpacked.
            mode = 0o755 if path.startswith("scripts/") else 0o644
            info.external_attr = (0o100000 | mode) << 16
            archive.writestr(info, content)
    return buffer.getvalue()
