# SPDX-License-Identifier: GPL-3.0-or-later
"""A PEP 517/660 build backend for perfdash-client, in the standard library alone.

setuptools would have to come from PyPI inside pip's isolated build environment; this backend needs nothing, so
`pip install clients/python` works on a machine without network. It packs the pure-Python package `perfdash` into
a wheel (or an sdist) and writes the metadata that pip needs.
"""
import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_PACKAGE = "perfdash"


def _project():
    with open(os.path.join(_ROOT, "pyproject.toml"), encoding="utf-8") as f:
        text = f.read()
    project = text[text.index("[project]"):]

    def value(key):
        m = re.search(r'^%s\s*=\s*"([^"]*)"' % key, project, re.M)
        return m.group(1) if m else ""

    return value("name"), value("version"), value("description"), value("requires-python")


def _dist_name():
    name, version, _, _ = _project()
    return name.replace("-", "_"), version


def _metadata():
    name, version, description, requires = _project()
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {name}\n"
        f"Version: {version}\n"
        f"Summary: {description}\n"
        "License: GPL-3.0-or-later\n"
        f"Requires-Python: {requires}\n"
    )


_WHEEL = "Wheel-Version: 1.0\nGenerator: perfdash-backend\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def _package_files():
    base = os.path.join(_ROOT, _PACKAGE)
    for directory, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".typed")):
                path = os.path.join(directory, name)
                yield path, os.path.relpath(path, _ROOT).replace(os.sep, "/")


def _write_wheel(wheel_directory, entries):
    dist, version = _dist_name()
    dist_info = f"{dist}-{version}.dist-info"
    filename = f"{dist}-{version}-py3-none-any.whl"
    entries = list(entries) + [(f"{dist_info}/METADATA", _metadata().encode()), (f"{dist_info}/WHEEL", _WHEEL.encode())]
    record = io.StringIO()
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w", zipfile.ZIP_DEFLATED) as wheel:
        for arcname, data in entries:
            wheel.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.write(f"{arcname},sha256={digest},{len(data)}\n")
        record.write(f"{dist_info}/RECORD,,\n")
        wheel.writestr(f"{dist_info}/RECORD", record.getvalue())
    return filename


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    dist, version = _dist_name()
    dist_info = f"{dist}-{version}.dist-info"
    os.makedirs(os.path.join(metadata_directory, dist_info), exist_ok=True)
    with open(os.path.join(metadata_directory, dist_info, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    with open(os.path.join(metadata_directory, dist_info, "WHEEL"), "w", encoding="utf-8") as f:
        f.write(_WHEEL)
    return dist_info


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    entries = []
    for path, arcname in _package_files():
        with open(path, "rb") as f:
            entries.append((arcname, f.read()))
    return _write_wheel(wheel_directory, entries)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # A .pth file that puts the source folder on sys.path: edits show at once.
    return _write_wheel(wheel_directory, [("perfdash_client.pth", (_ROOT + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    dist, version = _dist_name()
    base = f"{dist}-{version}"
    filename = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, filename), "w:gz", format=tarfile.PAX_FORMAT) as tar:
        files = [(os.path.join(_ROOT, "pyproject.toml"), "pyproject.toml"),
                 (os.path.join(_ROOT, "_build", "backend.py"), "_build/backend.py")]
        files += list(_package_files())
        for path, arcname in files:
            tar.add(path, arcname=f"{base}/{arcname}")
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = _metadata().encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return filename
