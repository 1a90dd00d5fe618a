"""XML signatures on CAP messages (enveloped XML-DSig, as CAP 1.2 section 3.3.4
allows and WMO and IPAWS use), checked with signxml against certificates the
operator trusts.

A certificate is trusted when it is one of the given certificates (pinned) or
was issued directly by one of them. Validity dates are checked at the time the
message says it was sent, so a message signed while its certificate was valid
stays verifiable. SHA-1 digests and signatures are refused (signxml's default).

Each failure is named: ``unsigned``, ``digest`` (the content no longer matches
what was signed), ``signature`` (the signature value does not verify),
``certificate`` (unreadable, or not valid when the message was sent) and
``untrusted`` (a good signature by a certificate nobody trusts).
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from lxml import etree
from signxml.exceptions import (
    InvalidCertificate,
    InvalidDigest,
    InvalidInput,
    InvalidSignature,
)
from signxml.verifier import SignatureConfiguration, XMLVerifier

from eocnet.domain import cap
from eocnet.interop.cap import NS, Problem

DS = "http://www.w3.org/2000/09/xmldsig#"
DSNS = {"ds": DS}


def load_trusted(paths: list[Path]) -> list[x509.Certificate]:
    """Every certificate in the PEM files given (a file may hold several)."""
    certificates: list[x509.Certificate] = []
    for path in paths:
        data = path.read_bytes()
        try:
            certificates.extend(x509.load_pem_x509_certificates(data))
        except ValueError:
            certificates.append(x509.load_der_x509_certificate(data))
    return certificates


def _malformed_rule(message: str) -> str:
    if "DigestValue" in message:
        return "digest"
    if "X509" in message:
        return "certificate"
    return "signature"


def _subject(certificate: x509.Certificate) -> str:
    return certificate.subject.rfc4514_string() or "(no subject)"


def _choose(
    embedded: list[x509.Certificate], trusted: list[x509.Certificate]
) -> x509.Certificate | str:
    for certificate in embedded:
        if certificate in trusted:
            return certificate
    for certificate in embedded:
        for anchor in trusted:
            try:
                certificate.verify_directly_issued_by(anchor)
                return certificate
            except (ValueError, TypeError, CryptoInvalidSignature):
                continue
    if embedded:
        return (
            f"signed with the certificate {_subject(embedded[0])}, which is neither trusted "
            "nor issued by a trusted certificate"
        )
    return "the signature carries no certificate"


def check(data: bytes, root: etree._Element, trusted: list[x509.Certificate]) -> list[Problem]:
    """Problems with the message's signature; none when it verifies with a
    trusted certificate. ``root`` is the already safely parsed message."""
    signature = root.find("ds:Signature", DSNS)
    if signature is None:
        return [Problem(root.sourceline or 1, "unsigned", "the message is not signed")]
    line = signature.sourceline or 1

    def problem(rule: str, message: str, element: etree._Element | None = None) -> list[Problem]:
        where = element.sourceline if element is not None else line
        return [Problem(where or line, rule, message)]

    try:
        XMLVerifier().validate_schema(signature)  # type: ignore[no-untyped-call]
    except etree.DocumentInvalid as exc:
        return problem(_malformed_rule(str(exc)), f"the signature is malformed: {exc}")
    embedded: list[x509.Certificate] = []
    for element in signature.iterfind(".//ds:X509Certificate", DSNS):
        try:
            der = base64.b64decode("".join((element.text or "").split()), validate=True)
            embedded.append(x509.load_der_x509_certificate(der))
        except (binascii.Error, ValueError) as exc:
            return problem("certificate", f"the signing certificate cannot be read: {exc}", element)
    chosen = _choose(embedded, trusted)
    candidates = [chosen] if isinstance(chosen, x509.Certificate) else []
    if not embedded:
        candidates = list(trusted)
    if not candidates:
        return problem("untrusted", str(chosen))

    sent_text = root.findtext("cap:sent", default="", namespaces=NS).strip()
    try:
        sent = cap.parse_time(sent_text)
    except ValueError:
        return problem("signature", "the message has no valid <sent> time to check it at")
    config = SignatureConfiguration(verification_time=sent)
    last: list[Problem] = []
    for certificate in candidates:
        try:
            result = XMLVerifier().verify(
                data, x509_cert=certificate, expect_config=config, ignore_ambiguous_key_info=True
            )
        except InvalidDigest as exc:
            last = problem("digest", f"the message was changed after it was signed ({exc})")
        except InvalidCertificate as exc:
            last = problem("certificate", f"the certificate was not valid: {exc}")
        except InvalidSignature as exc:
            last = problem("signature", f"the signature does not verify: {exc}".rstrip(": "))
        except InvalidInput as exc:
            last = problem("signature", f"the signature cannot be accepted: {exc}")
        except etree.DocumentInvalid as exc:
            last = problem(_malformed_rule(str(exc)), f"the signature is malformed: {exc}")
        else:
            signed = result.signed_xml if not isinstance(result, list) else result[0].signed_xml
            if signed is None or etree.QName(signed).localname != "alert":
                return problem("signature", "the signature does not cover the whole message")
            return []
        if not embedded and last and last[0].rule == "signature":
            last = problem("untrusted", "no trusted certificate verifies the signature")
    return last
