//! Checks the protobuf encoding: the same bytes as prost, a lossless
//! round trip, and clean errors (never a panic) on malformed input.

mod common;

use common::*;
use proptest::collection::vec;
use proptest::prelude::*;
use prost::Message;
use rho_host_abi::encode::encode_term;
use rho_host_abi::par::{
    Expr, GSysAuthToken, GUnforgeable, New, Par, Receive, ReceiveBind, Send, VarRef,
    connective::ConnectiveInstance, expr::ExprInstance, g_unforgeable::UnfInstance,
    var::VarInstance,
};
use rho_host_abi::{DecodeError, decode_par, encode_par};

/// Compares with prost's decoder, which agrees except that it gives up at
/// 100 nested messages.
fn assert_decoders_agree(bytes: &[u8]) -> Result<(), TestCaseError> {
    match (Par::decode(bytes), decode_par(bytes)) {
        (Ok(theirs), Ok(ours)) => prop_assert_eq!(theirs, ours),
        (Err(_), Err(DecodeError::Malformed(_))) => {}
        (Err(theirs), Ok(_)) => {
            prop_assert!(
                theirs.to_string().contains("recursion limit"),
                "prost: {theirs}"
            )
        }
        (theirs, ours) => prop_assert!(false, "prost {theirs:?} but ours {ours:?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn encoding_matches_prost_byte_for_byte(par in arb_par()) {
        prop_assert_eq!(encode_par(&par), par.encode_to_vec());
    }

    #[test]
    fn decoding_inverts_encoding(par in arb_par()) {
        prop_assert_eq!(decode_par(&encode_par(&par)), Ok(par));
    }

    #[test]
    fn random_bytes_never_panic_and_agree_with_prost(bytes in vec(any::<u8>(), 0..64)) {
        assert_decoders_agree(&bytes)?;
    }

    #[test]
    fn damaged_encodings_never_panic_and_agree_with_prost(
        par in arb_par(),
        cuts in vec((any::<prop::sample::Index>(), any::<u8>(), 0..3u8), 1..4),
    ) {
        let mut bytes = encode_par(&par);
        for (at, byte, how) in cuts {
            if bytes.is_empty() {
                break;
            }
            let i = at.index(bytes.len());
            match how {
                0 => bytes[i] = byte,
                1 => bytes.truncate(i),
                _ => bytes.insert(i, byte),
            }
        }
        assert_decoders_agree(&bytes)?;
    }
}

#[test]
fn field_encodings_match_prost_in_corner_cases() {
    let mut new_with_injections = New {
        bind_count: -3,
        p: None,
        uri: vec![String::new(), "rho:io:stdout".into()],
        ..New::default()
    };
    new_with_injections
        .injections
        .insert(String::new(), Par::default());
    new_with_injections.injections.insert("k".into(), int(-1));
    let receive = Receive {
        binds: vec![ReceiveBind {
            patterns: vec![Par::default()],
            source: Some(Par::default()),
            remainder: Some(var(VarInstance::Wildcard(Default::default()))),
            free_count: -1,
        }],
        body: None,
        persistent: true,
        peek: true,
        bind_count: i32::MIN,
        locally_free: vec![0, 1],
        connective_used: true,
    };
    let pars = vec![
        Par {
            news: vec![new_with_injections],
            ..Par::default()
        },
        Par {
            receives: vec![receive],
            ..Par::default()
        },
        expr(ExprInstance::GInt(0)),
        expr(ExprInstance::GBool(false)),
        expr(ExprInstance::GString(String::new())),
        expr(ExprInstance::GBigInt(Vec::new())),
        expr(ExprInstance::GByteArray(Vec::new())),
        Par {
            exprs: vec![Expr::default()],
            ..Par::default()
        },
        Par {
            unforgeables: vec![
                GUnforgeable {
                    unf_instance: Some(UnfInstance::GSysAuthTokenBody(GSysAuthToken {})),
                },
                GUnforgeable::default(),
            ],
            ..Par::default()
        },
        Par {
            connectives: vec![
                rho_host_abi::par::Connective {
                    connective_instance: Some(ConnectiveInstance::VarRefBody(VarRef {
                        index: -1,
                        depth: 2,
                    })),
                },
                rho_host_abi::par::Connective {
                    connective_instance: Some(ConnectiveInstance::ConnBigInt(false)),
                },
            ],
            ..Par::default()
        },
        Par {
            locally_free: vec![0xFF; 3],
            connective_used: true,
            ..Par::default()
        },
    ];
    for par in pars {
        assert_eq!(encode_par(&par), par.encode_to_vec(), "{par:?}");
        assert_eq!(decode_par(&encode_par(&par)), Ok(par));
    }
}

#[test]
fn every_term_type_encodes_like_prost() {
    let send = Send {
        chan: Some(int(1)),
        data: vec![int(2)],
        persistent: true,
        ..Send::default()
    };
    assert_eq!(encode_term(&send), send.encode_to_vec());
    let expr = Expr {
        expr_instance: Some(ExprInstance::GInt(-7)),
    };
    assert_eq!(encode_term(&expr), expr.encode_to_vec());
    let variable = var(VarInstance::FreeVar(3));
    assert_eq!(encode_term(&variable), variable.encode_to_vec());
}

#[test]
fn malformed_input_is_reported() {
    // A string field (GString, tag 3) whose UTF-8 is invalid, inside an Expr.
    let bad_utf8 = [0x2A, 0x03, 0x1A, 0x01, 0xFF];
    assert!(matches!(
        decode_par(&bad_utf8),
        Err(DecodeError::Malformed(_))
    ));
    // The `sends` field with a varint wire type.
    assert!(matches!(
        decode_par(&[0x08, 0x01]),
        Err(DecodeError::Malformed(_))
    ));
    // An unknown field is skipped, as protobuf requires.
    assert_eq!(decode_par(&[0xF8, 0x07, 0x01]), Ok(Par::default()));
}
