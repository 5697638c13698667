"""SSHSIG in process: the same bytes and the same verdicts as ``ssh-keygen -Y sign / -Y verify``."""

from __future__ import annotations

import base64
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from gkpublish import sshsig
from gkpublish.model import Person, Unit
from gkpublish.roster import Roster

SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"
needs_ssh_keygen = pytest.mark.skipif(not os.path.exists(SSH_KEYGEN), reason="ssh-keygen is not installed")
NS = sshsig.NAMESPACE
MESSAGE = '{"decision":"同意","step":"科室负责人"}'.encode()


def keygen(*args: str, stdin: bytes | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([SSH_KEYGEN, *args], input=stdin, capture_output=True, cwd=cwd, timeout=60)


def ssh_key(tmp_path: Path, kind: str, name: str | None = None) -> tuple[Path, str]:
    path = tmp_path / (name or f"id_{kind}")
    extra = ["-b", "2048"] if kind == "rsa" else []
    assert keygen("-q", "-t", kind, *extra, "-N", "", "-C", "", "-f", str(path)).returncode == 0
    return path, Path(f"{path}.pub").read_text().strip()


def ssh_verify(tmp_path: Path, allowed: str, principal: str, sig: str, message: bytes, ns: str = NS) -> bool:
    (tmp_path / "allowed_signers").write_text(allowed)
    (tmp_path / "msg.sig").write_text(sig)
    r = keygen("-Y", "verify", "-f", str(tmp_path / "allowed_signers"), "-I", principal, "-n", ns,
               "-s", str(tmp_path / "msg.sig"), stdin=message)
    return r.returncode == 0


def ssh_sign(tmp_path: Path, key: Path, message: bytes, ns: str = NS) -> str:
    msg = tmp_path / "tosign"
    msg.write_bytes(message)
    sig = Path(f"{msg}.sig")
    if sig.exists():
        sig.unlink()
    r = keygen("-Y", "sign", "-n", ns, "-f", str(key), str(msg))
    assert r.returncode == 0, r.stderr
    return sig.read_text()


def ours_verify(message: bytes, sig: str, allowed: list[str], ns: str = NS) -> bool:
    try:
        sshsig.verify(message, sig, ns, [sshsig.parse_public_key(k) for k in allowed])
    except sshsig.SshSigError:
        return False
    return True


@needs_ssh_keygen
@pytest.mark.parametrize("kind", ["ed25519", "rsa", "ecdsa"])
def test_signed_by_ssh_keygen_verifies_here(tmp_path, kind):
    key, pub = ssh_key(tmp_path, kind)
    sig = ssh_sign(tmp_path, key, MESSAGE)
    assert ours_verify(MESSAGE, sig, [pub])
    assert not ours_verify(MESSAGE + b" ", sig, [pub])


@needs_ssh_keygen
@pytest.mark.parametrize("kind", ["ed25519", "rsa", "ecdsa"])
def test_signed_here_verifies_with_ssh_keygen(tmp_path, kind):
    key, pub = ssh_key(tmp_path, kind)
    sig = sshsig.sign(MESSAGE, sshsig.load_private_key(str(key)))
    assert ssh_verify(tmp_path, f'li-kz namespaces="{NS}" {pub}\n', "li-kz", sig, MESSAGE)
    assert not ssh_verify(tmp_path, f'li-kz namespaces="{NS}" {pub}\n', "li-kz", sig, MESSAGE + b" ")


@needs_ssh_keygen
def test_ed25519_signature_is_byte_identical_to_ssh_keygen(tmp_path):
    key, _ = ssh_key(tmp_path, "ed25519")
    assert sshsig.sign(MESSAGE, sshsig.load_private_key(str(key))) == ssh_sign(tmp_path, key, MESSAGE)


@needs_ssh_keygen
def test_generated_key_is_openssh_0600_with_pub_beside(tmp_path):
    path = tmp_path / "keys" / "li-kz"
    line = sshsig.generate_keypair(str(path), "li-kz@gkpublish")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Path(f"{path}.pub").read_text().strip() == line
    derived = keygen("-y", "-f", str(path))  # ssh-keygen reads our private key and derives the same public key
    assert derived.returncode == 0 and derived.stdout.decode().split()[:2] == line.split()[:2]
    with pytest.raises(FileExistsError):
        sshsig.generate_keypair(str(path))


def _flip(sig: str, index: int) -> str:
    blob = bytearray(sshsig.dearmor(sig))
    blob[index] ^= 0x01
    return sshsig.armor(bytes(blob))


@needs_ssh_keygen
def test_same_verdict_as_ssh_keygen_on_every_case(tmp_path):
    """A matrix of good and broken signatures: ssh-keygen and gkpublish agree on each one."""
    alice, alice_pub = ssh_key(tmp_path, "ed25519", "alice")
    _, bob_pub = ssh_key(tmp_path, "ed25519", "bob")
    rsa_key, rsa_pub = ssh_key(tmp_path, "rsa", "carol")
    good = ssh_sign(tmp_path, alice, MESSAGE)
    ours = sshsig.sign(MESSAGE, sshsig.load_private_key(str(alice)))
    other_ns = ssh_sign(tmp_path, alice, MESSAGE, ns="git")
    sha256 = sshsig.sign(MESSAGE, sshsig.load_private_key(str(alice)), hash_alg="sha256")
    rsa_sig = sshsig.sign(MESSAGE, sshsig.load_private_key(str(rsa_key)))
    blob = sshsig.dearmor(good)
    cases = {
        "good": (MESSAGE, good, alice_pub),
        "ours": (MESSAGE, ours, alice_pub),
        "sha256 hash": (MESSAGE, sha256, alice_pub),
        "rsa-sha2-512": (MESSAGE, rsa_sig, rsa_pub),
        "edited message": (MESSAGE.replace("同意".encode(), "退回".encode()), good, alice_pub),
        "other signer's allowed key": (MESSAGE, good, bob_pub),
        "other namespace": (MESSAGE, other_ns, alice_pub),
        "flipped signature byte": (MESSAGE, _flip(good, len(blob) - 5), alice_pub),
        "flipped key byte": (MESSAGE, _flip(good, 30), alice_pub),
        "trailing data": (MESSAGE, sshsig.armor(blob + b"\0"), alice_pub),
        "truncated": (MESSAGE, sshsig.armor(blob[:-10]), alice_pub),
        "not armored": (MESSAGE, base64.b64encode(blob).decode(), alice_pub),
        "empty": (MESSAGE, "", alice_pub),
    }
    for name, (message, sig, allowed_pub) in cases.items():
        expected = ssh_verify(tmp_path, f'p namespaces="{NS}" {allowed_pub}\n', "p", sig, message)
        assert ours_verify(message, sig, [allowed_pub]) == expected, name
    assert ours_verify(MESSAGE, good, [alice_pub]) and not ours_verify(MESSAGE, good, [bob_pub])


@needs_ssh_keygen
def test_allowed_signers_from_roster_leaves_out_revoked_keys(tmp_path):
    _, live = ssh_key(tmp_path, "ed25519", "live")
    old, dead = ssh_key(tmp_path, "ed25519", "dead")
    roster = Roster({"li-kz": Person("li-kz", "李科长", "gkk", ("科室负责人",),
                                     ({"key": live}, {"key": dead, "revoked": "2026-06-01"}))},
                    {"gkk": Unit("gkk", "政务公开科", "重庆市江北区人民政府办公室")})
    allowed = roster.allowed_signers(NS)
    assert allowed.count("\n") == 1 and live.split()[1] in allowed
    sig = ssh_sign(tmp_path, old, MESSAGE)
    assert not ssh_verify(tmp_path, allowed, "li-kz", sig, MESSAGE)
    assert not ours_verify(MESSAGE, sig, [k.line for k in roster.valid_keys("li-kz")])


def test_verify_many_agrees_with_and_without_libsodium(monkeypatch):
    from cryptography.hazmat.primitives.asymmetric import ed25519

    keys = [ed25519.Ed25519PrivateKey.generate() for _ in range(3)]
    jobs = []
    for n in range(600):  # enough to use the threads
        msg = f"记录 {n}".encode()
        sig = sshsig.parse(sshsig.sign(msg, keys[n % 3]))
        jobs.append((sig, msg if n % 7 else msg + b"!"))
    with_sodium = sshsig.verify_many(jobs)
    monkeypatch.setattr(sshsig, "_SODIUM", None)
    without = sshsig.verify_many(jobs)
    assert [v is None for v in with_sodium] == [v is None for v in without] == [bool(n % 7) for n in range(600)]


@pytest.mark.parametrize("line", [
    "ssh-ed25519",
    "ssh-dss AAAAB3NzaC1kc3MAAACBAP",
    "ssh-ed25519 AAAA!!!",
    "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIJ8dmM3Uu0mJ3zAqWqkBZN1n6iFfnjkXGZMeyEH9nS5a",
])
def test_bad_public_keys_are_refused(line):
    with pytest.raises(sshsig.SshSigError):
        sshsig.parse_public_key(line)
