"""Where a signing secret is kept, by reference (signing.secret_ref): `env:NAME` (an environment variable),
`file:PATH` (a plain file readable by this user only), `enc:PATH` (a file encrypted with the installation's data
key, core.store.crypto: what the first-run set-up writes when there is no keyring), `keyring:NAME` (the OS
keyring: Windows Credential Manager, macOS Keychain, Secret Service; needs the optional `keyring` package)."""
from __future__ import annotations

import os
from pathlib import Path

from core.settings.options import SettingError

KEYRING_SERVICE = "onewindow"


def resolve_secret(ref: str) -> str:
    """The secret a reference names ("" for an empty reference); SettingError when it cannot be read."""
    if not ref:
        return ""
    scheme, _, name = ref.partition(":")
    if scheme == "env":
        value = os.environ.get(name, "")
        if not value:
            raise SettingError(f"环境变量 {name} 未设置（signing.secret_ref）",
                               f"environment variable {name} is not set (signing.secret_ref)")
        return value
    if scheme == "file":
        try:
            return Path(name).expanduser().read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingError(f"无法读取签名密钥文件 {name}：{exc.strerror or exc}",
                               f"cannot read the signing secret file {name}: {exc.strerror or exc}") from None
    if scheme == "enc":
        from core.store.crypto import DataCipher, DataKeyError

        try:
            return DataCipher.load().decrypt(Path(name).read_text(encoding="ascii").strip())
        except (OSError, DataKeyError) as exc:
            raise SettingError(f"无法解密签名密钥文件 {name}（数据密钥不对或文件损坏）：{exc}",
                               f"cannot decrypt the signing secret file {name} (wrong data key or damaged): {exc}") \
                from None
    if scheme == "keyring":
        try:
            import keyring  # optional: the OS credential store
        except ImportError:
            raise SettingError("未安装 keyring，无法从系统钥匙串读取签名密钥",
                               "the keyring package is not installed: cannot read the secret from the OS keyring") \
                from None
        value = keyring.get_password(KEYRING_SERVICE, name)
        if not value:
            raise SettingError(f"系统钥匙串中没有 {name}", f"the OS keyring holds no secret named {name}")
        return value
    raise SettingError(f"无效的密钥位置 {ref}", f"invalid secret reference {ref}")


def store_secret(name: str, secret: str, folder: Path) -> str:
    """Keep `secret` out of the settings file; returns its reference. The OS keyring when one works, else a file
    in `folder` encrypted with the data key (mode 0600)."""
    secret = secret.strip()
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, name, secret)
        if keyring.get_password(KEYRING_SERVICE, name) == secret:
            return f"keyring:{name}"
    except Exception:  # noqa: BLE001 - no keyring package, no backend, a locked store: the encrypted file then
        pass
    from core.store.crypto import DataCipher

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"signing-{name}.secret"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(DataCipher.load().encrypt_text(secret))
    return f"enc:{path}"


__all__ = ["KEYRING_SERVICE", "resolve_secret", "store_secret"]
