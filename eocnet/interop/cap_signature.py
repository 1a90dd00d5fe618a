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
import hashlib
import warnings
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.utils import CryptographyDeprecationWarning
from lxml import etree
from signxml.exceptions import (
    InvalidCertificate,
    InvalidDigest,
    InvalidInput,
    InvalidSignature,
)
from signxml.verifier import SignatureConfiguration, XMLVerifier

from eocnet.domain import cap
from eocnet.interop import safe_xml
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


_DIGESTS = {
    "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
    "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
    "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
    "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
}
_C14N = {
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": (False, False),
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments": (False, True),
    "http://www.w3.org/2001/10/xml-exc-c14n#": (True, False),
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments": (True, True),
    # C14N 1.1 differs from 1.0 only in xml:id, xml:base and xml:lang inheritance
    # across excluded nodes, which a whole-document reference never has
    "http://www.w3.org/2006/12/xml-c14n11": (False, False),
    "http://www.w3.org/2006/12/xml-c14n11#WithComments": (False, True),
}


def _digest_matches(data: bytes, signature: etree._Element) -> bool | None:
    """Whether the enveloped reference's digest matches the message (None when
    the reference is not the plain whole-document kind this can recompute).

    When the signature value fails, this tells a changed digest (the message or
    the digest was altered) from a changed signature value."""
    reference = signature.find("ds:SignedInfo/ds:Reference", DSNS)
    if reference is None or reference.get("URI") not in ("", None):
        return None
    method = reference.find("ds:DigestMethod", DSNS)
    stated = reference.findtext("ds:DigestValue", default="", namespaces=DSNS)
    algorithm = _DIGESTS.get(method.get("Algorithm", "") if method is not None else "")
    exclusive, comments = False, False
    for transform in reference.iterfind("ds:Transforms/ds:Transform", DSNS):
        name = transform.get("Algorithm", "")
        if name in _C14N:
            exclusive, comments = _C14N[name]
        elif not name.endswith("#enveloped-signature"):
            return None
    if algorithm is None:
        return None
    root = etree.fromstring(data, safe_xml.PARSER)
    for element in root.findall("ds:Signature", DSNS):
        root.remove(element)
    canonical = etree.tostring(root, method="c14n", exclusive=exclusive, with_comments=comments)
    digest = base64.b64encode(hashlib.new(algorithm, canonical).digest()).decode()
    return digest == "".join(stated.split())


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
    trusted certificate. ``root`` is the already safely parsed message.

    Real senders' certificates sometimes break RFC 5280 in ways cryptography
    only warns about (e.g. a negative serial number); those warnings concern the
    sender's certificate, not this program, and are not shown."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        return _check(data, root, trusted)


def _check(data: bytes, root: etree._Element, trusted: list[x509.Certificate]) -> list[Problem]:
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
    last: list[Problem] = []
    for certificate in candidates:
        # the signature first (at a time the certificate was valid), so a changed
        # message is reported as such; then whether it was valid when sent
        config = SignatureConfiguration(verification_time=certificate.not_valid_before_utc)
        try:
            result = XMLVerifier().verify(
                data, x509_cert=certificate, expect_config=config, ignore_ambiguous_key_info=True
            )
        except InvalidDigest as exc:
            last = problem("digest", f"the message was changed after it was signed ({exc})")
        except InvalidCertificate as exc:
            last = problem("certificate", f"the certificate was not valid: {exc}")
        except InvalidSignature as exc:
            if _digest_matches(data, signature) is False:
                last = problem("digest", "the digest in the signature does not match the message")
            else:
                last = problem("signature", f"the signature does not verify: {exc}".rstrip(": "))
        except InvalidInput as exc:
            last = problem("signature", f"the signature cannot be accepted: {exc}")
        except etree.DocumentInvalid as exc:
            last = problem(_malformed_rule(str(exc)), f"the signature is malformed: {exc}")
        else:
            signed = result.signed_xml if not isinstance(result, list) else result[0].signed_xml
            if signed is None or etree.QName(signed).localname != "alert":
                return problem("signature", "the signature does not cover the whole message")
            start, end = certificate.not_valid_before_utc, certificate.not_valid_after_utc
            if not start <= sent <= end:
                return problem(
                    "certificate",
                    f"the certificate {_subject(certificate)} was not valid when the message "
                    f"was sent ({sent_text}): it is valid from {start:%Y-%m-%d %H:%M} to "
                    f"{end:%Y-%m-%d %H:%M} UTC",
                )
            return []
        if not embedded and last and last[0].rule == "signature":
            last = problem("untrusted", "no trusted certificate verifies the signature")
    return last
