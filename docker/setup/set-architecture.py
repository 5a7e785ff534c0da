"""Read an image archive (`docker save`) on stdin and write it to stdout with the image's
architecture set, e.g. `docker save x | python3 set-architecture.py arm64 | docker load`.

`docker import --platform` is ignored by engines without experimental features, so a
root file system bootstrapped for another architecture would be labelled as this
machine's, and builds for that platform would not find it (they look for a registry).
Only the image's configuration changes: its layers are copied byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import tarfile

VARIANTS = {"arm64": "v8"}  # what the engine reports for images of that architecture


def main(architecture: str) -> int:
    with tarfile.open(fileobj=sys.stdin.buffer, mode="r|") as source:
        members = [(member, source.extractfile(member).read() if member.isfile() else None)
                   for member in source]
    files = {member.name.removeprefix("./"): data for member, data in members}
    (manifest,) = json.loads(files["manifest.json"])
    config = json.loads(files[manifest["Config"]])
    config["architecture"] = architecture
    if architecture in VARIANTS:
        config["variant"] = VARIANTS[architecture]
    else:
        config.pop("variant", None)
    new_config = json.dumps(config, separators=(",", ":")).encode()
    config_name = f"{hashlib.sha256(new_config).hexdigest()}.json"
    old_config = manifest["Config"]
    manifest["Config"] = config_name
    with tarfile.open(fileobj=sys.stdout.buffer, mode="w|") as out:
        for member, data in members:
            name = member.name.removeprefix("./")
            if name in (old_config, "repositories"):
                continue
            if name == "manifest.json":
                data = json.dumps([manifest]).encode()
                member.size = len(data)
            out.addfile(member, io.BytesIO(data) if data is not None else None)
        info = tarfile.TarInfo(config_name)
        info.size = len(new_config)
        out.addfile(info, io.BytesIO(new_config))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: docker save IMAGE | python3 set-architecture.py ARCH | docker load",
              file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
