"""Passwords, TOTP and tokens (RFC 6238 rules: 30 s steps, 160-bit secrets, one step of drift,
each code once)."""

import base64
import time

import pyotp
from argon2 import extract_parameters

from eocnet.auth import passwords, totp
from eocnet.auth.tokens import new_token, token_hash


def test_argon2id_at_owasp_baseline():
    h = passwords.hash_password("a long enough password")
    params = extract_parameters(h)
    assert h.startswith("$argon2id$")
    assert params.memory_cost >= 19 * 1024 and params.time_cost >= 2 and params.parallelism == 1
    assert passwords.verify_password(h, "a long enough password")
    assert not passwords.verify_password(h, "a long enough passworD")
    assert not passwords.verify_password(None, "anything")


def test_totp_secret_is_160_bits():
    secret = totp.new_secret()
    assert len(base64.b32decode(secret)) * 8 == 160


def test_totp_accepts_one_step_of_drift_and_each_code_once():
    secret = totp.new_secret()
    now = time.time()
    current = int(now // 30)
    t = pyotp.TOTP(secret)
    assert totp.matching_step(secret, t.at(now), 0, now) == current
    assert totp.matching_step(secret, t.at(now - 30), 0, now) == current - 1
    assert totp.matching_step(secret, t.at(now + 30), 0, now) == current + 1
    assert totp.matching_step(secret, t.at(now - 90), 0, now) is None
    # once used, the same step (and any older one) is refused
    assert totp.matching_step(secret, t.at(now), current, now) is None
    assert totp.matching_step(secret, "12345", 0, now) is None
    assert totp.matching_step(secret, "abcdef", 0, now) is None


def test_recovery_codes_are_unique_and_normalised():
    codes = totp.new_recovery_codes()
    assert len(set(codes)) == 10
    assert totp.hash_recovery_code(codes[0]) == totp.hash_recovery_code(
        codes[0].upper().replace("-", " ")
    )


def test_tokens_are_random_and_stored_hashed():
    a, b = new_token(), new_token()
    assert a != b and a.startswith("eoc_") and len(a) > 40
    assert token_hash(a) != a and len(token_hash(a)) == 64
