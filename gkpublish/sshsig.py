"""SSHSIG signatures (``ssh-keygen -Y sign`` / ``-Y verify``), in process.

A sign-off record is evidence only if anyone can check it with standard tools: the
signatures are byte-compatible with OpenSSH's SSHSIG format (PROTOCOL.sshsig), so an
auditor can verify a record with ``ssh-keygen -Y verify`` and an allowed-signers file
built from the roster. We do the same work in process with ``cryptography`` because one
``ssh-keygen`` subprocess per signature is far too slow for tens of thousands of records.

Signed data (what the key actually signs)::

    "SSHSIG" ‖ string(namespace) ‖ string("") ‖ string(hash_alg) ‖ string(H(message))

Signature blob (armored between ``-----BEGIN/END SSH SIGNATURE-----``)::

    "SSHSIG" ‖ uint32(1) ‖ string(public key) ‖ string(namespace) ‖ string(reserved)
             ‖ string(hash_alg) ‖ string(string(sig type) ‖ string(sig bytes))

Verification follows ``sshsig.c``: hash algorithm sha256/sha512, the namespace must match,
RSA signatures must be rsa-sha2-256/512 (never SHA-1), no trailing data, signature type
must belong to the key. Key types: Ed25519 (signing and verifying), RSA and ECDSA
NIST P-256/384/521 (verifying; signing too). Security-key types (sk-*) are refused.

Speed: Ed25519 verification through ``cryptography`` holds the GIL. When the system's
libsodium is present, :func:`verify_many` uses it through ctypes instead (still in
process; ctypes releases the GIL, so a thread per core verifies in parallel). Both
reject the same signatures for every key a roster can hold: libsodium is the stricter
(it also refuses non-canonical and small-order encodings, which only a key holder re-
encoding their own valid signature, or a malicious roster key, could produce).
"""

from __future__ import annotations

import base64
import binascii
import ctypes
import ctypes.util
import hashlib
import os
import shutil
import struct
import subprocess
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

# The product's own namespace: a signature made for git commits or e-mail cannot be
# replayed as a sign-off, and ours cannot be replayed elsewhere.
NAMESPACE = "gkpublish-approval@gkpublish"

MAGIC = b"SSHSIG"
SIG_VERSION = 1
BEGIN = "-----BEGIN SSH SIGNATURE-----"
END = "-----END SSH SIGNATURE-----"
HASHES = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}
KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521")
_ECDSA = {"ecdsa-sha2-nistp256": (ec.SECP256R1, hashes.SHA256), "ecdsa-sha2-nistp384": (ec.SECP384R1, hashes.SHA384),
          "ecdsa-sha2-nistp521": (ec.SECP521R1, hashes.SHA512)}
_RSA_SIG = {"rsa-sha2-256": hashes.SHA256, "rsa-sha2-512": hashes.SHA512}


class SshSigError(ValueError):
    """A signature or key that cannot be parsed or does not verify; the text is Chinese."""


# -- wire format ---------------------------------------------------------------------

def _string(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def _mpint(n: int) -> bytes:
    if n == 0:
        return _string(b"")
    raw = n.to_bytes((n.bit_length() + 8) // 8, "big")  # a leading 0 byte keeps it positive
    return _string(raw)


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise SshSigError("签名数据被截断")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u32(self) -> int:
        return struct.unpack(">I", self.take(4))[0]

    def string(self) -> bytes:
        return self.take(self.u32())

    def mpint(self) -> int:
        raw = self.string()
        if raw and raw[0] & 0x80:
            raise SshSigError("签名中的整数为负数")
        return int.from_bytes(raw, "big")

    def done(self) -> bool:
        return self.pos == len(self.data)


def signed_data(message: bytes, namespace: str, hash_alg: str = "sha512") -> bytes:
    """The bytes the key signs for ``message`` (PROTOCOL.sshsig)."""
    return (MAGIC + _string(namespace.encode()) + _string(b"") + _string(hash_alg.encode())
            + _string(HASHES[hash_alg](message).digest()))


# -- keys ------------------------------------------------------------------------------

def key_type(blob: bytes) -> str:
    try:
        return _Reader(blob).string().decode("ascii")
    except (SshSigError, UnicodeDecodeError):
        raise SshSigError("公钥数据无法解析") from None


def parse_public_key(line: str) -> bytes:
    """``ssh-ed25519 AAAA… comment`` → the key blob. Raises SshSigError for anything else."""
    parts = line.split()
    if len(parts) < 2:
        raise SshSigError("公钥应为 OpenSSH 一行格式：类型 base64 [注释]，例如 ssh-ed25519 AAAA… 张三")
    if parts[0] not in KEY_TYPES:
        raise SshSigError(f"不支持的公钥类型 {parts[0]}（支持 {'、'.join(KEY_TYPES)}）")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except binascii.Error:
        raise SshSigError("公钥的 base64 部分已损坏") from None
    if key_type(blob) != parts[0]:
        raise SshSigError(f"公钥类型 {parts[0]} 与其内容不符")
    _public_key_object(blob)  # parses, so a broken key is found when the roster loads
    return blob


def public_key_line(blob: bytes, comment: str = "") -> str:
    line = f"{key_type(blob)} {base64.b64encode(blob).decode()}"
    return f"{line} {comment}" if comment else line


def fingerprint(blob: bytes) -> str:
    """``SHA256:…`` as ``ssh-keygen -l`` prints it."""
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


_KEY_CACHE: dict[bytes, object] = {}


def _public_key_object(blob: bytes):
    key = _KEY_CACHE.get(blob)
    if key is None:
        try:
            key = serialization.load_ssh_public_key(b"%s %s" % (key_type(blob).encode(), base64.b64encode(blob)))
        except (ValueError, TypeError, serialization.UnsupportedAlgorithm):
            raise SshSigError("公钥无法解析（格式不对或内容不完整）：请从 .pub 文件完整复制一整行，如 ssh-ed25519 AAAA… 备注") from None
        if isinstance(key, rsa.RSAPublicKey) and key.key_size < 2048:
            raise SshSigError(f"RSA 公钥仅 {key.key_size} 位，至少需要 2048 位")
        _KEY_CACHE[blob] = key
    return key


class KeygenSigner:
    """A passphrase-protected OpenSSH key that only ``ssh-keygen`` can open here.

    cryptography needs the ``bcrypt`` module to decrypt such keys. Signing one record is a
    single ``ssh-keygen -Y sign`` call, which asks for the passphrase itself (terminal or
    SSH_ASKPASS); verification never spawns anything.
    """

    def __init__(self, path: str):
        self.path = path
        try:
            with open(path + ".pub", encoding="utf-8") as fh:
                self.blob = parse_public_key(fh.read())
        except OSError:
            raise SshSigError(f"私钥 {path} 有口令保护：请把对应的公钥放在 {path}.pub，或安装 Python 模块 bcrypt") from None

    def sign(self, message: bytes, namespace: str) -> str:
        exe = shutil.which("ssh-keygen")
        if exe is None:
            raise SshSigError(f"私钥 {self.path} 有口令保护：需要 ssh-keygen 或 Python 模块 bcrypt 才能使用")
        r = subprocess.run([exe, "-Y", "sign", "-n", namespace, "-f", self.path], input=message,
                           capture_output=True, timeout=300)
        if r.returncode != 0:
            raise SshSigError(f"ssh-keygen 签名失败：{r.stderr.decode('utf-8', 'replace').strip()}（口令是否正确？）")
        armored = r.stdout.decode("ascii", "replace")
        verify(message, armored, namespace, [self.blob])
        return armored


def public_blob_of(private_key) -> bytes:
    if isinstance(private_key, KeygenSigner):
        return private_key.blob
    pub = private_key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return base64.b64decode(pub.split()[1])


def _private_key_problem(data: bytes, exc: Exception) -> str:
    """Why cryptography refused the bytes, in Chinese (its messages are English:
    ``Could not deserialize key data``, ``Unable to load PEM file``, ``Bad decrypt``)."""
    text = str(exc).lower()
    head = data.lstrip()[:40]
    if head.startswith((b"ssh-", b"ecdsa-", b"sk-")):
        return "这是公钥（.pub 文件的内容）；--key 须指向同名但没有 .pub 后缀的私钥文件"
    if "decrypt" in text or "password" in text or "passphrase" in text:
        return "口令不正确；请检查环境变量 GKPUBLISH_KEY_PASSPHRASE 或重新输入口令"
    if not data.strip():
        return "文件是空的；请指向 gkpublish init 或 ssh-keygen -t ed25519 生成的私钥文件"
    if b"PRIVATE KEY" not in data:
        return "文件内容不是私钥（应以 -----BEGIN OPENSSH PRIVATE KEY----- 开头）；请检查 --key 指向的文件"
    return "私钥文件已损坏或格式不受支持（须为 OpenSSH 或 PEM 格式的 Ed25519、RSA 或 ECDSA 私钥）；请重新导出或重新生成"


def load_private_key(path: str, password: bytes | None = None):
    """An OpenSSH (or PEM) private key file. Raises SshSigError with a Chinese reason."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise SshSigError(f"无法读取私钥文件 {path}（{exc.strerror}）") from None
    try:
        if b"OPENSSH PRIVATE KEY" in data:
            key = serialization.load_ssh_private_key(data, password)
        else:
            key = serialization.load_pem_private_key(data, password)
    except TypeError:
        try:
            import bcrypt  # noqa: F401  (cryptography decrypts OpenSSH keys with it)
        except ImportError:
            return KeygenSigner(path)  # ssh-keygen asks for the passphrase itself
        raise SshSigError(f"私钥 {path} 有口令保护：请设置环境变量 GKPUBLISH_KEY_PASSPHRASE 或在提示时输入口令") from None
    except UnsupportedAlgorithm:  # an encrypted OpenSSH key and no bcrypt module
        return KeygenSigner(path)
    except ValueError as exc:
        raise SshSigError(f"{path} 不是可用的私钥：{_private_key_problem(data, exc)}") from None
    if not isinstance(key, ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise SshSigError(f"{path}: 不支持的私钥类型")
    return key


def generate_keypair(path: str, comment: str = "") -> str:
    """Write a new Ed25519 key: ``path`` (OpenSSH private key, mode 0600) and ``path.pub``.

    Returns the public key line. Refuses to overwrite an existing key.
    """
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption())
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(private)
    os.chmod(path, 0o600)
    line = public_key_line(public_blob_of(key), comment)
    with open(path + ".pub", "w", encoding="utf-8") as fh:
        fh.write(line + "\n")
    return line


# -- signing ---------------------------------------------------------------------------

def _raw_signature(private_key, data: bytes) -> tuple[str, bytes]:
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return "ssh-ed25519", private_key.sign(data)
    if isinstance(private_key, rsa.RSAPrivateKey):
        return "rsa-sha2-512", private_key.sign(data, padding.PKCS1v15(), hashes.SHA512())
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        name = {"secp256r1": "ecdsa-sha2-nistp256", "secp384r1": "ecdsa-sha2-nistp384",
                "secp521r1": "ecdsa-sha2-nistp521"}.get(private_key.curve.name)
        if name is None:
            raise SshSigError(f"不支持的椭圆曲线 {private_key.curve.name}")
        r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(_ECDSA[name][1]())))
        return name, _mpint(r) + _mpint(s)
    raise SshSigError("不支持的私钥类型")


def armor(blob: bytes) -> str:
    b64 = base64.b64encode(blob).decode()
    lines = [b64[i:i + 70] for i in range(0, len(b64), 70)]
    return "\n".join([BEGIN, *lines, END]) + "\n"


def sign(message: bytes, private_key, namespace: str = NAMESPACE, hash_alg: str = "sha512") -> str:
    """The armored SSHSIG of ``message``, as ``ssh-keygen -Y sign -n namespace`` writes it."""
    if isinstance(private_key, KeygenSigner):
        return private_key.sign(message, namespace)
    sig_type, raw = _raw_signature(private_key, signed_data(message, namespace, hash_alg))
    blob = (MAGIC + struct.pack(">I", SIG_VERSION) + _string(public_blob_of(private_key))
            + _string(namespace.encode()) + _string(b"") + _string(hash_alg.encode())
            + _string(_string(sig_type.encode()) + _string(raw)))
    return armor(blob)


# -- verifying -------------------------------------------------------------------------

@dataclass(frozen=True)
class Signature:
    """A parsed SSHSIG: which key claims to have signed, in which namespace."""

    public_key: bytes  # key blob (wire format)
    namespace: str
    hash_alg: str
    sig_type: str
    sig: bytes  # the raw signature bytes inside the signature blob

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_key)


def dearmor(text: str | bytes) -> bytes:
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError:
            raise SshSigError("签名不是 ASCII 文本") from None
    text = text.lstrip()
    if not text.startswith(BEGIN):
        raise SshSigError(f"签名缺少 {BEGIN} 开头")
    end = text.find(END, len(BEGIN))
    if end < 0:
        raise SshSigError(f"签名缺少 {END} 结尾")
    try:
        return base64.b64decode("".join(text[len(BEGIN):end].split()), validate=True)
    except binascii.Error:
        raise SshSigError("签名的 base64 内容已损坏") from None


def _field(data: bytes, off: int) -> tuple[bytes, int]:
    """One SSH ``string`` at ``off``: (its bytes, the offset after it)."""
    end = off + 4
    if end > len(data):
        raise SshSigError("签名数据被截断")
    stop = end + int.from_bytes(data[off:end], "big")
    if stop > len(data):
        raise SshSigError("签名数据被截断")
    return data[end:stop], stop


def parse(text: str | bytes) -> Signature:
    """Parse an armored SSHSIG. Raises SshSigError when it is not one."""
    blob = dearmor(text)
    if blob[:6] != MAGIC or len(blob) < 10:
        raise SshSigError("不是 SSHSIG 签名（缺少 SSHSIG 标识）")
    version = int.from_bytes(blob[6:10], "big")
    if version > SIG_VERSION:
        raise SshSigError(f"SSHSIG 版本 {version} 不受支持")
    public_key, off = _field(blob, 10)
    namespace, off = _field(blob, off)
    _, off = _field(blob, off)  # reserved: ignored, as ssh-keygen does (the signed data always has it empty)
    hash_alg, off = _field(blob, off)
    inner, off = _field(blob, off)
    if off != len(blob):
        raise SshSigError("签名末尾有多余数据")
    sig_type, pos = _field(inner, 0)
    sig, pos = _field(inner, pos)
    if pos != len(inner):
        raise SshSigError("签名值末尾有多余数据")
    try:
        return Signature(public_key, namespace.decode("utf-8"), hash_alg.decode("ascii"), sig_type.decode("ascii"), sig)
    except UnicodeDecodeError:
        raise SshSigError("签名的命名空间、哈希算法或签名类型不是文本") from None


def check_envelope(sig: Signature, namespace: str) -> None:
    """Everything but the cryptography: namespace, hash, signature type for the key."""
    if sig.namespace != namespace:
        raise SshSigError(f"签名的命名空间是“{sig.namespace}”，不是 {namespace}：这不是 gkpublish 签审签名")
    if sig.hash_alg not in HASHES:
        raise SshSigError(f"签名使用了不支持的哈希算法 {sig.hash_alg}")
    ktype = key_type(sig.public_key)
    if ktype == "ssh-rsa":
        if sig.sig_type not in _RSA_SIG:
            raise SshSigError(f"RSA 签名类型 {sig.sig_type} 不被接受（须为 rsa-sha2-256 或 rsa-sha2-512）")
    elif ktype in KEY_TYPES:
        if sig.sig_type != ktype:
            raise SshSigError(f"签名类型 {sig.sig_type} 与公钥类型 {ktype} 不符")
    else:
        raise SshSigError(f"不支持的公钥类型 {ktype}")


def _verify_raw(sig: Signature, data: bytes) -> bool:
    key = _public_key_object(sig.public_key)
    try:
        if isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(sig.sig, data)
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(sig.sig, data, padding.PKCS1v15(), _RSA_SIG[sig.sig_type]())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            r = _Reader(sig.sig)
            der = encode_dss_signature(r.mpint(), r.mpint())
            if not r.done():
                return False
            key.verify(der, data, ec.ECDSA(_ECDSA[sig.sig_type][1]()))
        else:
            return False
    except (InvalidSignature, SshSigError, ValueError):
        return False
    return True


def verify(message: bytes, text: str | bytes | Signature, namespace: str = NAMESPACE,
           allowed: Iterable[bytes] | None = None) -> Signature:
    """Verify an armored SSHSIG over ``message``; return it parsed. Raises SshSigError.

    ``allowed``: the key blobs accepted for this signer (the roster's unrevoked keys), as
    the allowed-signers file does for ``ssh-keygen -Y verify -I``. None: any key (the
    caller decides who the key belongs to).
    """
    sig = text if isinstance(text, Signature) else parse(text)
    check_envelope(sig, namespace)
    if allowed is not None and sig.public_key not in set(allowed):
        raise SshSigError(f"签名所用密钥 {sig.fingerprint} 不在该签署人的有效密钥中")
    if not _verify_raw(sig, signed_data(message, namespace, sig.hash_alg)):
        raise SshSigError("签名与内容不符（内容被改动过，或签名不是用此密钥生成的）")
    return sig


# -- many at once ----------------------------------------------------------------------

def _load_sodium():
    if os.environ.get("GKPUBLISH_NO_SODIUM"):
        return None
    name = ctypes.util.find_library("sodium")
    if not name:
        return None
    try:
        lib = ctypes.CDLL(name)
        if lib.sodium_init() < 0:
            return None
        fn = lib.crypto_sign_ed25519_verify_detached
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulonglong, ctypes.c_char_p]
    fn.restype = ctypes.c_int
    return fn


_SODIUM = _load_sodium()


def _ed25519_raw(blob: bytes) -> bytes | None:
    r = _Reader(blob)
    try:
        if r.string() != b"ssh-ed25519":
            return None
        raw = r.string()
    except SshSigError:
        return None
    return raw if len(raw) == 32 and r.done() else None


def verify_many(jobs: Sequence[tuple[Signature, bytes]], namespace: str = NAMESPACE,
                threads: int | None = None) -> list[str | None]:
    """Verify (signature, message) pairs; per pair None when valid, else the Chinese reason.

    Same verdicts as :func:`verify` without ``allowed``; Ed25519 goes through libsodium
    in parallel threads when it is available.
    """
    results: list[str | None] = [None] * len(jobs)
    fast: list[tuple[int, bytes, bytes, bytes]] = []
    envelopes: dict[tuple[bytes, str, str, str], tuple[str | None, bytes | None]] = {}  # per key, not per record
    for i, (sig, message) in enumerate(jobs):
        env_key = (sig.public_key, sig.namespace, sig.hash_alg, sig.sig_type)
        envelope = envelopes.get(env_key)
        if envelope is None:
            try:
                check_envelope(sig, namespace)
                envelope = (None, _ed25519_raw(sig.public_key) if _SODIUM is not None else None)
            except SshSigError as exc:
                envelope = (str(exc), None)
            envelopes[env_key] = envelope
        problem, raw = envelope
        if problem:
            results[i] = problem
            continue
        data = signed_data(message, namespace, sig.hash_alg)
        if raw is not None:
            fast.append((i, sig.sig, data, raw))
        elif not _verify_raw(sig, data):
            results[i] = "签名与内容不符（内容被改动过，或签名不是用此密钥生成的）"
    if fast:
        fn = _SODIUM

        def run(chunk: list[tuple[int, bytes, bytes, bytes]]) -> list[int]:
            return [i for i, s, d, k in chunk if len(s) != 64 or fn(s, d, len(d), k) != 0]

        n = max(1, min(threads or os.cpu_count() or 1, 8, len(fast) // 256 or 1))
        if n == 1:
            bad = run(fast)
        else:
            with ThreadPoolExecutor(n) as ex:
                bad = [i for part in ex.map(run, [fast[k::n] for k in range(n)]) for i in part]
        for i in bad:
            results[i] = "签名与内容不符（内容被改动过，或签名不是用此密钥生成的）"
    return results
