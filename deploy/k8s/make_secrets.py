"""Print the suite's Secrets, fresh: `python deploy/k8s/make_secrets.py | kubectl apply -f -`.

Writes nothing to disk but a temporary directory it removes: the keys exist only in the
output. One Ed25519 key pair per caller (services/common/identity.py): ``qabilet-keys-public``
holds every public key, ``qabilet-key-<service>`` one service's private key, so each pod mounts
its own private key and the public keys, as in deploy/docker-compose.yml. Rerunning rotates
everything (restart the pods afterwards). The operator's private key is printed apart, for the
host scripts, never into the cluster. secrets.example.yaml shows the same shape with placeholders.
"""

from __future__ import annotations

import argparse
import base64
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402

from services.common.identity import CALLERS, generate_keys  # noqa: E402

SERVICES = ("gateway", "learner", "jobs", "matcher")


def secret(name: str, namespace: str, files: dict[str, bytes]) -> dict[str, Any]:
    """Return one Opaque Secret holding ``files`` (base64, as the API stores them)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/part-of": "qabilet"},
        },
        "type": "Opaque",
        "data": {k: base64.b64encode(v).decode() for k, v in sorted(files.items())},
    }


def build(namespace: str, admin_email: str, operator_key: Path | None) -> list[dict[str, Any]]:
    """Return every Secret the manifests reference, with fresh keys and secrets."""
    with tempfile.TemporaryDirectory() as tmp:
        keys = Path(tmp)
        generate_keys(keys, CALLERS)
        public = {f"{n}.pub": (keys / f"{n}.pub").read_bytes() for n in CALLERS}
        private = {n: (keys / f"{n}.key").read_bytes() for n in CALLERS}
    if operator_key is not None:
        operator_key.write_bytes(private["operator"])
        operator_key.chmod(0o600)
    docs = [
        secret("qabilet-jwt", namespace, {"secret": secrets.token_urlsafe(48).encode()}),
        secret(
            "qabilet-admin",
            namespace,
            {"email": admin_email.encode(), "password": secrets.token_urlsafe(18).encode()},
        ),
        secret("qabilet-keys-public", namespace, public),
    ]
    docs += [secret(f"qabilet-key-{n}", namespace, {f"{n}.key": private[n]}) for n in SERVICES]
    return docs


def main(argv: list[str] | None = None) -> int:
    """Print the Secrets as one YAML stream."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--namespace", default="qabilet")
    parser.add_argument("--admin-email", default="admin@qabilet.kz")
    parser.add_argument(
        "--operator-key",
        type=Path,
        help="also write the operator's private key here (host scripts: seeding, status)",
    )
    args = parser.parse_args(argv)
    docs = build(args.namespace, args.admin_email, args.operator_key)
    sys.stdout.write(yaml.safe_dump_all(docs, sort_keys=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
