"""TLS for the emulator: a server context from files, or a throwaway self-signed certificate.

The self-signed mode exists for tests that check a client refuses an unverifiable server
(issue 5: "a test against a self-signed HTTPS emulator expects -32002 with reason tls"). The
standard library cannot make certificates, so it runs the ``openssl`` command.
"""

import os
import shutil
import ssl
import subprocess
import tempfile

# Generating a 2048-bit RSA key takes well under a second; this only bounds a wedged openssl.
OPENSSL_TIMEOUT_SECONDS = 60


def server_context(cert_file, key_file):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


def self_signed_context(common_name="127.0.0.1"):
    """A server context with a fresh self-signed certificate for ``common_name`` (and 127.0.0.1,
    ::1 and localhost as subject alternative names). Raises OSError when openssl is missing."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise OSError("--tls-self-signed needs the openssl command")
    with tempfile.TemporaryDirectory(prefix="medusa-emulator-tls-") as folder:
        cert, key = os.path.join(folder, "cert.pem"), os.path.join(folder, "key.pem")
        command = [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                   "-subj", "/CN=" + common_name, "-keyout", key, "-out", cert,
                   "-addext", "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"]
        result = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True,
                                timeout=OPENSSL_TIMEOUT_SECONDS)
        if result.returncode != 0:
            raise OSError("openssl failed: " + result.stderr.decode("utf-8", "replace").strip())
        return server_context(cert, key)
