//! The registry: the reference's URIs and signed insertions reproduced from
//! its own data (the headers of its `RevVault.rho` and `AuthKey.rho`), and
//! `buildUri`, `lookup`, `insertArbitrary` and `insertSigned:secp256k1`
//! called from Rholang under both engines.

use k256::ecdsa::signature::hazmat::PrehashSigner;
use k256::ecdsa::{Signature, SigningKey};
use rho_host_abi::par::{Bundle, GPrivate, GUnforgeable, Par, g_unforgeable::UnfInstance};
use rho_runtime::native::Powerbox;
use rho_runtime::{RunConfig, Value};
use rho_stdlib::registry::{blake2b256, build_uri, signed_bytes, uri_for_key};
use rho_stdlib::{PowerboxOptions, powerbox};
use rho_tests::{InProcessRun, run_both_engines};

fn bytes(hex: &str) -> Vec<u8> {
    hex::decode(hex).expect("test vectors are hex")
}

/// One of the reference's signed insertions: public key, the unforgeable
/// name registered (inside `bundle+`), the bytes signed, the signature and
/// the URI.
struct ReferenceInsertion {
    public_key: &'static str,
    name: &'static str,
    signed: &'static str,
    signature: &'static str,
    uri: &'static str,
}

const REV_VAULT: ReferenceInsertion = ReferenceInsertion {
    public_key: "040f035630a5d2199184890b4b6b83440c842da0b6becca539f788f7b35d6e873561f673cd6ebe2e32236398a86f29dad992e8fba32534734300fcc5104bcfea0e",
    name: "263f45f2ca50669ef4011a57d3a10270c1250d52ed99f212a6332d8ffe57d3be",
    signed: "2a40aa013d0a0d2a0b10feffffffffffffffff010a2c5a2a0a263a240a220a20263f45f2ca50669ef4011a57d3a10270c1250d52ed99f212a6332d8ffe57d3be1001",
    signature: "30450221008af89d676c4cd6b3d41e90da89b03a1e83f161fc8c4ad22c9edc903db3a9f4c402204e35e29e40a5f2b2f431d3cc63b87fb52c33716b3ce331a2a19b9660c3690c18",
    uri: "rho:id:6zcfqnwnaqcwpeyuysx1rm48ndr6sgsbbgjuwf45i5nor3io7dr76j",
};

const AUTH_KEY: ReferenceInsertion = ReferenceInsertion {
    public_key: "04f4b4417f930e6fab5765ac0defcf9fce169982acfd046e7c27f9b14c0804014623c0439e5c8035e9607599a549303b5b6b90cd9685e6965278bddca65dac7510",
    name: "741f6ee13b54ca29cd6e3340e24a781e8cc2739bc4ab5fd1650de54e11040955",
    signed: "2a40aa013d0a0d2a0b10feffffffffffffffff010a2c5a2a0a263a240a220a20741f6ee13b54ca29cd6e3340e24a781e8cc2739bc4ab5fd1650de54e110409551001",
    signature: "304402205d2dc163a40804a445237ef6bd181249a68598d146e66d0c96484c6cfeaaaffd02205e537f1e7bae82b99abbdc25c8472c44f5848085a3a3f23357507c05524be4a7",
    uri: "rho:id:1qw5ehmq1x49dey4eadr1h4ncm361w3536asho7dr38iyookwcsp6i",
};

/// `bundle+{*name}` for the unforgeable name with id `id`.
fn write_only_bundle(id: &str) -> Value {
    let name = Par {
        unforgeables: vec![GUnforgeable {
            unf_instance: Some(UnfInstance::GPrivateBody(GPrivate { id: bytes(id) })),
        }],
        ..Par::default()
    };
    Value::from_par(Par {
        bundles: vec![Bundle {
            body: Some(name),
            write_flag: true,
            read_flag: false,
        }],
        ..Par::default()
    })
}

fn config(powerbox: Powerbox) -> RunConfig {
    RunConfig {
        powerbox,
        ..RunConfig::default()
    }
}

fn standard() -> Powerbox {
    powerbox(&PowerboxOptions::default())
}

/// Runs `source` under both engines, checks that they agree, and returns
/// the evaluator's run.
fn run(source: &str, powerbox: Powerbox) -> InProcessRun {
    run_both_engines(source, &config(powerbox))
}

fn errors(run: &InProcessRun) -> Vec<String> {
    run.error_messages()
}

/// A key made here, and its signatures of registry entries.
struct Signer {
    key: SigningKey,
}

impl Signer {
    fn new(seed: u8) -> Signer {
        Signer {
            key: SigningKey::from_slice(&[seed; 32]).expect("a valid secret key"),
        }
    }

    fn public_key_hex(&self) -> String {
        hex::encode(self.key.verifying_key().to_encoded_point(false).as_bytes())
    }

    /// The DER signature of the pair `(nonce, value)`, in hex.
    fn sign(&self, nonce: i64, value: &str) -> String {
        let signed = signed_bytes(&Value::Int(nonce), &Value::string(value));
        let signature: Signature = self
            .key
            .sign_prehash(&blake2b256(&signed))
            .expect("signing succeeds");
        hex::encode(signature.to_der().as_bytes())
    }
}

#[test]
fn uris_are_the_reference_uris() {
    for insertion in [REV_VAULT, AUTH_KEY] {
        assert_eq!(uri_for_key(&bytes(insertion.public_key)), insertion.uri);
    }
    assert_eq!(
        build_uri(&blake2b256(&bytes(REV_VAULT.public_key))),
        REV_VAULT.uri
    );
}

#[test]
fn signed_bytes_are_the_reference_encoding() {
    for insertion in [REV_VAULT, AUTH_KEY] {
        let value = write_only_bundle(insertion.name);
        assert_eq!(
            hex::encode(signed_bytes(&Value::Int(i64::MAX), &value)),
            insertion.signed
        );
    }
}

#[test]
fn build_uri_from_rholang() {
    let source = format!(
        r#"new ops(`rho:registry:ops`), out(`rho:io:stdout`), a, b in {{
          ops!("buildUri", "{}".hexToBytes(), *a) |
          for (@uri <- a) {{
            out!(uri) |
            ops!("buildUri", "not bytes", *b) |
            for (@none <- b) {{ out!(none) }}
          }}
        }}"#,
        AUTH_KEY.public_key
    );
    let run = run(&source, standard());
    let mut lines: Vec<&str> = run.stdout.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["Nil", &format!("`{}`", AUTH_KEY.uri)]);
}

#[test]
fn registry_ops_know_only_build_uri() {
    let run = run(
        r#"new ops(`rho:registry:ops`), r in { ops!("lookup", "00".hexToBytes(), *r) }"#,
        standard(),
    );
    let errors = errors(&run);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0]
            .starts_with("rho:registry:ops expects (\"buildUri\", bytes, ret), got \"lookup\""),
        "{errors:?}"
    );
}

#[test]
fn the_reference_rev_vault_insertion_registers_and_looks_up() {
    let mut powerbox = standard();
    // The contract the reference registered, which Rholang cannot forge.
    powerbox.bind_value("test:revVault", write_only_bundle(REV_VAULT.name));
    let source = format!(
        r#"new rs(`rho:registry:insertSigned:secp256k1`), rl(`rho:registry:lookup`),
               out(`rho:io:stdoutAck`), revVault(`test:revVault`), inserted, found, ack in {{
          rs!("{pk}".hexToBytes(), (9223372036854775807, *revVault), "{sig}".hexToBytes(), *inserted) |
          for (@uri <- inserted) {{
            out!(uri, *ack) |
            for (_ <- ack) {{
              rl!(uri, *found) |
              for (@entry <- found) {{ out!(entry, *ack) }}
            }}
          }}
        }}"#,
        pk = REV_VAULT.public_key,
        sig = REV_VAULT.signature,
    );
    let run = run(&source, powerbox);
    assert!(errors(&run).is_empty(), "{:?}", errors(&run));
    assert_eq!(
        run.stdout,
        format!(
            "`{}`\n(9223372036854775807, bundle+ {{   Unforgeable(0x{}) }})\n",
            REV_VAULT.uri, REV_VAULT.name
        )
    );
}

#[test]
fn a_signed_entry_is_replaced_only_by_a_higher_nonce_and_a_good_signature() {
    let signer = Signer::new(7);
    let source = format!(
        r#"new rs(`rho:registry:insertSigned:secp256k1`), rl(`rho:registry:lookup`),
               out(`rho:io:stdout`), a, b, c, d, e, f in {{
          rs!("{pk}".hexToBytes(), (1, "first"), "{first}".hexToBytes(), *a) |
          for (@first <- a) {{
            rs!("{pk}".hexToBytes(), (1, "stale"), "{stale}".hexToBytes(), *b) |
            for (@stale <- b) {{
              rs!("{pk}".hexToBytes(), (2, "second"), "{second}".hexToBytes(), *c) |
              for (@second <- c) {{
                rs!("{pk}".hexToBytes(), (3, "forged"), "{second}".hexToBytes(), *d) |
                for (@forged <- d) {{
                  rs!("{pk}".hexToBytes(), (0, "older"), "{older}".hexToBytes(), *e) |
                  for (@older <- e) {{
                    rl!(second, *f) |
                    for (@entry <- f) {{ out!([first, stale, second, forged, older, entry]) }}
                  }}
                }}
              }}
            }}
          }}
        }}"#,
        pk = signer.public_key_hex(),
        first = signer.sign(1, "first"),
        stale = signer.sign(1, "stale"),
        second = signer.sign(2, "second"),
        older = signer.sign(0, "older"),
    );
    let run = run(&source, standard());
    assert!(errors(&run).is_empty(), "{:?}", errors(&run));
    let uri = uri_for_key(&bytes(&signer.public_key_hex()));
    assert_eq!(
        run.stdout,
        format!("[`{uri}`, Nil, `{uri}`, Nil, Nil, (2, \"second\")]\n")
    );
}

#[test]
fn a_second_argument_that_is_not_a_pair_gets_no_answer() {
    let signer = Signer::new(9);
    let source = format!(
        r#"new rs(`rho:registry:insertSigned:secp256k1`), out(`rho:io:stdout`), a in {{
          rs!("{pk}".hexToBytes(), [1, "first"], "{sig}".hexToBytes(), *a) |
          for (@answer <- a) {{ out!(answer) }}
        }}"#,
        pk = signer.public_key_hex(),
        sig = signer.sign(1, "first"),
    );
    let run = run(&source, standard());
    assert_eq!(run.stdout, "");
    assert!(errors(&run).is_empty());
}

#[test]
fn insert_signed_reports_what_the_reference_verifier_reports() {
    let run = run(
        r#"new rs(`rho:registry:insertSigned:secp256k1`), a in {
          rs!("not a key", (1, "x"), "00".hexToBytes(), *a)
        }"#,
        standard(),
    );
    let errors = errors(&run);
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].starts_with(
            "secp256k1Verify expects data, signature, public key (all as byte arrays), and an acknowledgement channel"
        ),
        "{errors:?}"
    );
}

#[test]
fn nonces_of_different_types_do_not_compare() {
    let signer = Signer::new(11);
    let key = &signer.key;
    let string_nonce = signed_bytes(&Value::string("two"), &Value::string("b"));
    let signature: Signature = key.sign_prehash(&blake2b256(&string_nonce)).unwrap();
    let source = format!(
        r#"new rs(`rho:registry:insertSigned:secp256k1`), out(`rho:io:stdout`), a, b in {{
          rs!("{pk}".hexToBytes(), (1, "a"), "{first}".hexToBytes(), *a) |
          for (_ <- a) {{
            rs!("{pk}".hexToBytes(), ("two", "b"), "{second}".hexToBytes(), *b) |
            for (@answer <- b) {{ out!(answer) }}
          }}
        }}"#,
        pk = signer.public_key_hex(),
        first = signer.sign(1, "a"),
        second = hex::encode(signature.to_der().as_bytes()),
    );
    let run = run(&source, standard());
    assert_eq!(run.stdout, "");
    assert_eq!(errors(&run), ["Unexpected compare: \"two\" vs. 1"]);
}

#[test]
fn insert_arbitrary_registers_at_fresh_uris() {
    let run = run(
        r#"new ia(`rho:registry:insertArbitrary`), rl(`rho:registry:lookup`),
               out(`rho:io:stdout`), a, b, c in {
          ia!("first", *a) |
          for (@uri1 <- a) {
            ia!({"second": [1, 2]}, *b) |
            for (@uri2 <- b) {
              rl!(uri1, *c) |
              for (@value1 <- c) {
                rl!(uri2, *c) |
                for (@value2 <- c) {
                  out!([uri1 == uri2, value1, value2]) |
                  out!(uri1) | out!(uri2)
                }
              }
            }
          }
        }"#,
        standard(),
    );
    assert!(errors(&run).is_empty(), "{:?}", errors(&run));
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines.contains(&"[false, \"first\", {\"second\" : [1, 2]}]"));
    let uris: Vec<&&str> = lines.iter().filter(|line| line.starts_with('`')).collect();
    assert_eq!(uris.len(), 2);
    for uri in uris {
        let id = uri
            .strip_prefix("`rho:id:")
            .and_then(|rest| rest.strip_suffix('`'))
            .unwrap_or_else(|| panic!("not a registry URI: {uri}"));
        assert_eq!(id.len(), 54);
        assert!(
            id.chars()
                .all(|c| "ybndrfg8ejkmcpqxot1uwisza345h769".contains(c))
        );
    }
}

#[test]
fn lookups_of_absent_or_non_uri_keys_answer_nil() {
    let source = format!(
        r#"new rl(`rho:registry:lookup`), out(`rho:io:stdout`), a, b in {{
          rl!(`{uri}`, *a) |
          for (@absent <- a) {{
            rl!("{uri}", *b) |
            for (@string <- b) {{ out!([absent, string]) }}
          }}
        }}"#,
        uri = REV_VAULT.uri
    );
    let run = run(&source, standard());
    assert_eq!(run.stdout, "[Nil, Nil]\n");
}

#[test]
fn entries_are_part_of_the_state_hash() {
    let program = |value: &str| {
        format!(r#"new ia(`rho:registry:insertArbitrary`), a in {{ ia!("{value}", *a) }}"#)
    };
    let one = run(&program("one"), standard());
    let two = run(&program("two"), standard());
    let one_again = run(&program("one"), standard());
    assert_ne!(one.report.state_hash, two.report.state_hash);
    assert_eq!(one.report.state_hash, one_again.report.state_hash);
}

#[test]
fn insertion_is_charged_by_size() {
    let program = |len: usize| {
        format!(
            r#"new ia(`rho:registry:insertArbitrary`), a in {{ ia!("{}", *a) }}"#,
            "x".repeat(len)
        )
    };
    let small = run(&program(10), standard());
    let large = run(&program(10_010), standard());
    let difference = large.report.phlo_spent - small.report.phlo_spent;
    // The registry charges for storing the 10,000 more bytes.
    assert!(difference >= 10_000, "only {difference} more phlo");
}

/// The reference's registry is a contract that can hold any value; so can
/// this one, including unforgeable names and processes.
#[test]
fn any_value_can_be_registered() {
    let run = run(
        r#"new ia(`rho:registry:insertArbitrary`), rl(`rho:registry:lookup`),
               out(`rho:io:stdout`), secret, a, b in {
          ia!(bundle+{*secret}, *a) |
          for (@uri <- a) {
            rl!(uri, *b) |
            for (@got <- b) { @got!("hello") } |
            for (@msg <- secret) { out!(msg) }
          }
        }"#,
        standard(),
    );
    assert_eq!(run.stdout, "\"hello\"\n");
}
