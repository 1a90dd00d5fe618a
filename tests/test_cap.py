"""CAP 1.2 against the real corpus in tests/data/cap (see its SOURCES.md): every
valid message validates, every invalid one is refused for the right reason, and
`eocnet cap validate` reports file, line and rule. Signatures are checked with
certificates made here (a CA, a signer it issued, and a stranger)."""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import warnings
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml.signer import XMLSigner

from eocnet.domain import cap as rules
from eocnet.interop import cap, cap_signature
from tests.helpers import run_cli

CORPUS = Path(__file__).parent / "data" / "cap"
VALID = sorted((CORPUS / "valid").glob("*.xml"))
UNSIGNED = sorted((CORPUS / "invalid" / "unsigned").glob("*.xml"))
SIGNATURE = sorted((CORPUS / "invalid" / "signature").glob("*.xml"))
SCHEMA = sorted((CORPUS / "invalid" / "schema").glob("*.xml"))


def test_the_corpus_is_there():
    assert len(VALID) == 35 and len(SCHEMA) == 7 and len(SIGNATURE) == 17
    assert len(UNSIGNED) == 5


@pytest.mark.parametrize("path", VALID + UNSIGNED + SIGNATURE, ids=lambda p: p.name)
def test_every_valid_message_validates(path):
    """Unsigned and badly signed messages are good CAP 1.2 when no signature is required."""
    assert cap.validate(path.read_bytes()) == []


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_valid_message_reads_and_writes_back_to_a_valid_message(path):
    alert = cap.read(path.read_bytes())
    assert alert.identifier and alert.sender
    assert cap.validate(cap.write(alert)) == []


@pytest.mark.parametrize("path", SCHEMA, ids=lambda p: p.name)
def test_schema_errors_are_refused_by_the_schema(path):
    problems = cap.validate(path.read_bytes())
    assert problems and {p.rule for p in problems} == {"schema"}
    assert all(p.line > 1 for p in problems)


def test_an_update_without_references_breaks_the_standard_though_the_schema_passes():
    problems = cap.validate(
        (CORPUS / "invalid/semantic/google-caplib__canada_errors.xml").read_bytes()
    )
    assert [(p.line, p.rule) for p in problems] == [(12, "references")]


def test_xxe_is_refused_before_parsing():
    problems = cap.validate((CORPUS / "invalid/security/google-caplib__xee.xml").read_bytes())
    assert [(p.line, p.rule) for p in problems] == [(3, "security")]


@pytest.mark.parametrize(
    "document",
    [
        b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><alert>&lol2;</alert>',
        b'<?xml version="1.0"?>\n<!doctype alert SYSTEM "file:///etc/passwd"><alert/>',
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>'.encode(
            "utf-16"
        ),
    ],
)
def test_any_dtd_or_entity_is_refused(document):
    [problem] = cap.validate(document)
    assert problem.rule == "security"


UTF7_DOCTYPE = (
    b'<?xml version="1.0" encoding="UTF-7"?>\n'
    b"+ADw-+ACE-DOCTYPE alert +AFs-+ADw-+ACE-ENTITY x SYSTEM "
    b"+ACI-file:///etc/passwd+ACI-+AD4-+AF0-+AD4-\n"
    b"+ADw-alert xmlns+AD0-+ACI-urn:oasis:names:tc:emergency:cap:1.2+ACI-+AD4-"
    b"+ACY-x;+ADw-/alert+AD4-"
)


@pytest.mark.parametrize(
    "document",
    [
        UTF7_DOCTYPE,
        b'<?xml version="1.0" encoding="UTF-7"?><alert/>',
        b'<?xml version="1.0" encoding="Shift_JIS"?><alert/>',
        b'<?xml version="1.0" encoding="UTF-16"?><alert/>',  # not UTF-16
        '<?xml version="1.0" encoding="UTF-8"?><alert/>'.encode("utf-16"),  # not UTF-8
    ],
)
def test_other_encodings_are_refused_before_parsing(document):
    [problem] = cap.validate(document)
    assert problem.rule == "security" and "UTF-8" in problem.message


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0" encoding="IBM500"?><alert/>'.encode("cp500"),  # EBCDIC
        b"\x00\x00",
        b"+ADw-alert/+AD4-",
    ],
)
def test_what_is_not_xml_in_an_accepted_encoding_is_refused(document):
    [problem] = cap.validate(document)
    assert problem.rule in ("xml", "security")


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32", "iso-8859-1"])
def test_accepted_encodings_still_validate(codec):
    text = VALID[0].read_text(encoding="utf-8")
    declared = {"utf-8-sig": "UTF-8", "iso-8859-1": "ISO-8859-1"}.get(codec, codec.upper()[:6])
    body = text.split("?>", 1)[1] if text.startswith("<?xml") else text
    document = f'<?xml version="1.0" encoding="{declared}"?>{body}'.encode(
        codec, "xmlcharrefreplace"
    )
    assert cap.validate(document) == []


def test_the_rules_the_schema_cannot_express():
    assert rules.polygon_problem("1,1 2,2 3,3 1,1") is None
    assert "at least 4" in rules.polygon_problem("1,1 2,2 1,1")
    assert "closed" in rules.polygon_problem("1,1 2,2 3,3 4,4")
    assert "latitude" in rules.polygon_problem("91,1 2,2 3,3 91,1")
    assert "longitude" in rules.polygon_problem("1,181 2,2 3,3 1,181")
    assert rules.circle_problem("-6.2,106.8 10") is None
    assert rules.circle_problem("-6.2,106.8") is not None
    assert rules.circle_problem("-6.2,106.8 -1") is not None
    assert rules.identifier_problem("a b") is not None
    assert rules.identifier_problem("a,b") is not None
    assert rules.identifier_problem("a<b") is not None
    assert rules.identifier_problem("eocnet.example.1") is None
    assert rules.reference_problem("s@x,id1,2026-11-30T10:00:00+07:00") is None
    assert rules.reference_problem("s@x,id1") is not None
    assert rules.reference_problem("s@x,id1,2026-11-30T10:00:00Z") is not None
    with pytest.raises(ValueError):
        rules.parse_time("2026-11-30T10:00:00Z")
    assert rules.format_time(dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)) == (
        "2026-11-30T03:00:00+00:00"
    )


def _message(**changes: str) -> bytes:
    """Appendix A.2 of the standard (a thunderstorm warning with a polygon) with
    some elements changed; a value of None removes the element, and a path not
    in the message is added to the first area."""
    root = etree.fromstring((CORPUS / "valid/oasiscap__v1dot2_appendix_adot2.xml").read_bytes())
    ns = {"c": rules.NAMESPACE}
    for path, value in changes.items():
        element = root.find(path, ns)
        if element is None:
            area = root.find("c:info/c:area", ns)
            element = etree.SubElement(area, f"{{{rules.NAMESPACE}}}{path.split(':')[-1]}")
            area.insert(2, element)
        if value is None:
            element.getparent().remove(element)
        else:
            element.text = value
    return etree.tostring(root)


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"c:identifier": "has space"}, "identifier"),
        ({"c:sender": "a,b"}, "sender"),
        ({"c:msgType": "Cancel"}, "references"),
        ({"c:scope": "Private"}, "addresses"),
        ({"c:scope": "Restricted"}, "restriction"),
        ({"c:info/c:area/c:polygon": "38.47,-120.14 38.34,-119.95 38.52,-119.74"}, "polygon"),
        ({"c:circle": "38.47,-120.14"}, "circle"),
        ({"c:info/c:expires": "2002-05-24T16:00:00-07:00"}, "expires"),
    ],
)
def test_each_rule_is_named(changes, rule):
    data = _message(**changes)
    assert rule in {p.rule for p in cap.validate(data)}


# ---------------------------------------------------------------- signatures


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(subject_key, subject: str, issuer_key=None, issuer: str | None = None):
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer or subject)]))
        .public_key(subject_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=issuer is None,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(issuer_key or subject_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("pki")
    ca_key, signer_key, stranger_key = _key(), _key(), _key()
    ca = _certificate(ca_key, "Test EOC CA")
    signer = _certificate(signer_key, "alerts.test.example", ca_key, "Test EOC CA")
    stranger = _certificate(stranger_key, "stranger.example")
    files = {}
    for name, certificate in (("ca", ca), ("signer", signer), ("stranger", stranger)):
        files[name] = folder / f"{name}.pem"
        files[name].write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return {
        "files": files,
        "signer": (signer_key, signer),
        "stranger": (stranger_key, stranger),
    }


def _now_message() -> bytes:
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return _message(**{"c:sent": rules.format_time(now), "c:info/c:expires": None})


def _sign(data: bytes, key, certificate) -> bytes:
    root = etree.fromstring(data)
    signed = XMLSigner().sign(root, key=key, cert=[certificate])
    return etree.tostring(signed)


def _problems(data: bytes, trusted: list) -> list[str]:
    root, problems = cap.check(data)
    assert problems == []
    return [p.rule for p in cap_signature.check(data, root, trusted)]


def test_a_signature_by_a_trusted_or_ca_issued_certificate_verifies(pki):
    key, certificate = pki["signer"]
    signed = _sign(_now_message(), key, certificate)
    ca = cap_signature.load_trusted([pki["files"]["ca"]])
    pinned = cap_signature.load_trusted([pki["files"]["signer"]])
    assert _problems(signed, ca) == []
    assert _problems(signed, pinned) == []


def test_signature_problems_are_named(pki):
    key, certificate = pki["signer"]
    ca = cap_signature.load_trusted([pki["files"]["ca"]])
    signed = _sign(_now_message(), key, certificate)
    # content changed after signing
    assert _problems(signed.replace(b"SEVERE THUNDERSTORM", b"MILD THUNDERSTORM"), ca) == ["digest"]
    # the signature value itself altered
    root = etree.fromstring(signed)
    value = root.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureValue")
    value.text = ("A" if value.text[0] != "A" else "B") + value.text[1:]
    assert _problems(etree.tostring(root), ca) == ["signature"]
    # a good signature by a certificate nobody trusts
    stranger_key, stranger = pki["stranger"]
    assert _problems(_sign(_now_message(), stranger_key, stranger), ca) == ["untrusted"]
    # no signature
    assert _problems(_now_message(), ca) == ["unsigned"]


@pytest.mark.parametrize("path", SIGNATURE, ids=lambda p: p.name)
def test_the_corpus_bad_signatures_are_refused_for_the_right_reason(path):
    data = path.read_bytes()
    root, _ = cap.check(data)
    embedded = root.find(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate")
    trusted = []
    with contextlib.suppress(ValueError), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # some real certificates have negative serials
        trusted = [x509.load_der_x509_certificate(base64.b64decode(embedded.text))]
    [problem] = cap_signature.check(data, root, trusted)
    expected = {"digest": "digest", "signature": "signature", "certificate": "certificate"}
    kind = next(k for k in expected if k in path.stem.split("__")[1])
    assert problem.rule == expected[kind], problem


def test_a_real_ipaws_signature_verifies_with_its_certificate_pinned():
    path = CORPUS / "valid/oasiscap__ipaws-5e6dd964023f1930ef638846.xml"
    data = path.read_bytes()
    root, _ = cap.check(data)
    element = root.find(".//{http://www.w3.org/2000/09/xmldsig#}X509Certificate")
    certificate = x509.load_der_x509_certificate(base64.b64decode("".join(element.text.split())))
    assert cap_signature.check(data, root, [certificate]) == []


# ---------------------------------------------------------------- the command


def test_cap_validate_command(monkeypatch, capsys, database_url):
    good = [str(p) for p in VALID[:3]]
    result = run_cli(monkeypatch, capsys, database_url, "cap", "validate", *good)
    assert result.code == 0, result.err
    assert result.out.count(": valid") == 3

    bad = str(CORPUS / "invalid/semantic/google-caplib__canada_errors.xml")
    xee = str(CORPUS / "invalid/security/google-caplib__xee.xml")
    result = run_cli(monkeypatch, capsys, database_url, "cap", "validate", good[0], bad, xee)
    assert result.code == 1
    lines = result.out.splitlines()
    assert f"{bad}:12: [references] " in "\n".join(lines)
    assert any(line.startswith(f"{xee}:3: [security]") for line in lines)
    assert "2 of 3 file(s) invalid" in result.err


def test_cap_validate_command_names_an_encoding_attack(monkeypatch, capsys, database_url, tmp_path):
    path = tmp_path / "utf7.xml"
    path.write_bytes(UTF7_DOCTYPE)
    result = run_cli(monkeypatch, capsys, database_url, "cap", "validate", str(path))
    assert result.code == 1 and "Traceback" not in result.out + result.err
    assert result.out.startswith(f"{path}:1: [security]")


def test_cap_validate_require_signature(monkeypatch, capsys, database_url, pki, tmp_path):
    key, certificate = pki["signer"]
    signed = tmp_path / "signed.xml"
    signed.write_bytes(_sign(_now_message(), key, certificate))
    unsigned = UNSIGNED[0]
    ca = str(pki["files"]["ca"])
    args = ("cap", "validate", "--require-signature", "--trust", ca)
    result = run_cli(monkeypatch, capsys, database_url, *args, str(signed))
    assert result.code == 0, result.out + result.err
    assert "signed by a trusted certificate" in result.out
    result = run_cli(monkeypatch, capsys, database_url, *args, str(signed), str(unsigned))
    assert result.code == 1
    assert f"{unsigned}:" in result.out and "[unsigned]" in result.out
    stranger = str(pki["files"]["stranger"])
    result = run_cli(
        monkeypatch, capsys, database_url, "cap", "validate", "--require-signature",
        "--trust", stranger, str(signed),
    )  # fmt: skip
    assert result.code == 1 and "[untrusted]" in result.out
    result = run_cli(
        monkeypatch, capsys, database_url, "cap", "validate", "--require-signature", str(signed)
    )
    assert result.code == 1 and "--trust" in result.err
