"""Fetch the official TMX 1.4 DTD and the OASIS XLIFF 1.2 strict XSD from Debian packages.

No registry ships them on their own, but two Debian packages carry the published files unchanged:
OmegaT (the CAT tool the TMX exports must import into) keeps LISA's ``tmx14.dtd`` inside
``OmegaT.jar``, and Symfony's Translation component validates XLIFF with OASIS's
``xliff-core-1.2-strict.xsd`` (plus W3C's ``xml.xsd`` it imports). This script downloads the two
``.deb`` files with ``apt-get download`` (no installation, no root needed), takes those files out,
and writes them with their provenance to ``tests/schemas/official/`` (not committed).

    python tests/schemas/fetch_official.py        # .ci/run calls this; a no-op when already there
"""
from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

OFFICIAL = Path(__file__).resolve().parent / "official"
SYMFONY = "usr/share/php/Symfony/Component/Translation/Resources/schemas/"
# (package, file inside the package, file inside that file or None, name written here)
WANTED = [
    ("omegat", "usr/share/omegat/OmegaT.jar", "schemas/tmx14.dtd", "tmx14.dtd"),
    ("php-symfony-translation", SYMFONY + "xliff-core-1.2-strict.xsd", None, "xliff-core-1.2-strict.xsd"),
    ("php-symfony-translation", SYMFONY + "xml.xsd", None, "xml.xsd"),
]


def fetch(dest: Path = OFFICIAL) -> Path:
    if all((dest / name).is_file() for *_, name in WANTED):
        return dest
    packages = sorted({pkg for pkg, *_ in WANTED})
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp).chmod(0o777)  # apt downloads as its own user when it can
        subprocess.run(["apt-get", "download", *packages], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        debs = {pkg: next(Path(tmp).glob(f"{pkg}_*.deb")) for pkg in packages}
        for deb in debs.values():
            subprocess.run(["dpkg-deb", "-x", str(deb), str(Path(tmp) / "root")], check=True)
        dest.mkdir(parents=True, exist_ok=True)
        provenance = {}
        for pkg, inner, member, name in WANTED:
            data = (Path(tmp) / "root" / inner).read_bytes()
            if member:
                data = zipfile.ZipFile(io.BytesIO(data)).read(member)
            (dest / name).write_bytes(data)
            provenance[name] = {"debian_package": debs[pkg].name, "path": inner + (f"!/{member}" if member else ""),
                                "sha256": hashlib.sha256(data).hexdigest()}
    (dest / "PROVENANCE.json").write_text(json.dumps(provenance, indent=2) + "\n")
    return dest


if __name__ == "__main__":
    try:
        print(f"official schemas in {fetch()}")
    except (OSError, subprocess.CalledProcessError, StopIteration, KeyError) as exc:
        sys.exit(f"could not fetch the official TMX/XLIFF schemas from Debian: {exc}")
