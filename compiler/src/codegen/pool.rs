//! The constant pool of a module ([`ConstPool`](rho_host_abi::par::ConstPool)
//! in `Abi.proto`), built up while code is generated and encoded at the end.
//!
//! Entries are kept as protobuf bytes and deduplicated by them: identical
//! constants, patterns and descriptors get one id. Pars are encoded with
//! host-abi's linear, deep-safe encoder and framed by hand, so the pool of
//! a deeply nested program is built without recursion.

use std::collections::HashMap;

use prost::Message;
use rho_host_abi::encode::encode_term;
use rho_host_abi::encode_par;
use rho_host_abi::par::{Expr, NewDesc, Par, ReceiveDesc};

use super::CodegenError;

/// Protobuf wire type of length-delimited fields.
const LENGTH_DELIMITED: u32 = 2;
/// Field numbers of `ConstPool`.
const FIELD_VALUES: u32 = 1;
const FIELD_TEMPLATES: u32 = 2;
const FIELD_RECEIVES: u32 = 3;
const FIELD_NEWS: u32 = 4;
const FIELD_BODY_COMPONENTS: u32 = 5;
/// Field number of `Par.exprs`.
const PAR_FIELD_EXPRS: u32 = 5;

/// One kind of pool entry: encoded messages with their ids.
#[derive(Default)]
struct Table {
    entries: Vec<Vec<u8>>,
    ids: HashMap<Vec<u8>, u32>,
}

impl Table {
    fn intern(&mut self, bytes: Vec<u8>) -> Result<u32, CodegenError> {
        if let Some(&id) = self.ids.get(&bytes) {
            return Ok(id);
        }
        let id = u32::try_from(self.entries.len())
            .ok()
            .filter(|id| i32::try_from(*id).is_ok())
            .ok_or(CodegenError::TooLarge {
                what: "constant pool entries",
            })?;
        self.ids.insert(bytes.clone(), id);
        self.entries.push(bytes);
        Ok(id)
    }

    fn write(&self, field: u32, out: &mut Vec<u8>) {
        for entry in &self.entries {
            write_varint(out, u64::from((field << 3) | LENGTH_DELIMITED));
            write_varint(out, entry.len() as u64);
            out.extend_from_slice(entry);
        }
    }
}

/// The pool being built.
#[derive(Default)]
pub(super) struct PoolBuilder {
    values: Table,
    templates: Table,
    receives: Table,
    news: Table,
    body_components: Vec<u32>,
}

impl PoolBuilder {
    /// The id of constant `par` (for `const_get`).
    pub(super) fn value(&mut self, par: &Par) -> Result<u32, CodegenError> {
        self.values.intern(encode_par(par))
    }

    /// The id of the constant Par made of `expr` alone.
    pub(super) fn expr_value(&mut self, expr: &Expr) -> Result<u32, CodegenError> {
        self.values.intern(lone_expr_par_bytes(expr))
    }

    /// The id of the constant `par` without its expressions.
    pub(super) fn value_without_exprs(&mut self, par: &Par) -> Result<u32, CodegenError> {
        self.values.intern(without_exprs(&encode_par(par)))
    }

    /// The id of template `par` (a pattern, or a process for `subst`).
    pub(super) fn template(&mut self, par: &Par) -> Result<u32, CodegenError> {
        self.templates.intern(encode_par(par))
    }

    /// The id of template `par` without its expressions.
    pub(super) fn template_without_exprs(&mut self, par: &Par) -> Result<u32, CodegenError> {
        self.templates.intern(without_exprs(&encode_par(par)))
    }

    /// The id of receive descriptor `desc`.
    pub(super) fn receive(&mut self, desc: &ReceiveDesc) -> Result<u32, CodegenError> {
        self.receives.intern(desc.encode_to_vec())
    }

    /// The id of `new` descriptor `desc`.
    pub(super) fn new_desc(&mut self, desc: &NewDesc) -> Result<u32, CodegenError> {
        self.news.intern(desc.encode_to_vec())
    }

    /// Records the component count of the next body (bodies are generated
    /// in index order).
    pub(super) fn push_body_components(&mut self, count: usize) {
        self.body_components
            .push(u32::try_from(count).unwrap_or(u32::MAX));
    }

    /// The protobuf encoding of the whole `ConstPool`, fields in tag order
    /// as prost writes them.
    pub(super) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.values.write(FIELD_VALUES, &mut out);
        self.templates.write(FIELD_TEMPLATES, &mut out);
        self.receives.write(FIELD_RECEIVES, &mut out);
        self.news.write(FIELD_NEWS, &mut out);
        if !self.body_components.is_empty() {
            let mut packed = Vec::new();
            for &count in &self.body_components {
                write_varint(&mut packed, u64::from(count));
            }
            write_varint(
                &mut out,
                u64::from((FIELD_BODY_COMPONENTS << 3) | LENGTH_DELIMITED),
            );
            write_varint(&mut out, packed.len() as u64);
            out.extend_from_slice(&packed);
        }
        out
    }
}

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// The encoding of `Par { exprs: vec![expr], ..Par::default() }`.
fn lone_expr_par_bytes(expr: &Expr) -> Vec<u8> {
    let expr_bytes = encode_term(expr);
    let mut out = Vec::with_capacity(expr_bytes.len() + 6);
    write_varint(
        &mut out,
        u64::from((PAR_FIELD_EXPRS << 3) | LENGTH_DELIMITED),
    );
    write_varint(&mut out, expr_bytes.len() as u64);
    out.extend_from_slice(&expr_bytes);
    out
}

/// Reads a varint at `*at`, advancing it; `None` if the bytes end first.
fn read_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// An encoded Par with its top-level `exprs` fields removed: the encoding
/// of the same Par with `exprs` empty (protobuf fields are independent, and
/// the other fields keep their order).
///
/// `bytes` come from [`encode_par`]; should they be malformed, they are
/// returned whole.
fn without_exprs(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let start = at;
        let Some(key) = read_varint(bytes, &mut at) else {
            return bytes.to_vec();
        };
        let end = match key & 7 {
            0 => match read_varint(bytes, &mut at) {
                Some(_) => at,
                None => return bytes.to_vec(),
            },
            2 => match read_varint(bytes, &mut at)
                .and_then(|len| usize::try_from(len).ok())
                .and_then(|len| at.checked_add(len))
                .filter(|end| *end <= bytes.len())
            {
                Some(end) => end,
                None => return bytes.to_vec(),
            },
            _ => return bytes.to_vec(),
        };
        if key >> 3 != u64::from(PAR_FIELD_EXPRS) {
            out.extend_from_slice(&bytes[start..end]);
        }
        at = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rho_host_abi::par::{
        BindDesc, ConstPool, GPrivate, GUnforgeable, Send, expr::ExprInstance,
        g_unforgeable::UnfInstance,
    };

    fn int(value: i64) -> Expr {
        Expr {
            expr_instance: Some(ExprInstance::GInt(value)),
        }
    }

    fn sample_par() -> Par {
        Par {
            sends: vec![Send {
                chan: Some(Par {
                    exprs: vec![int(1)],
                    ..Par::default()
                }),
                data: vec![Par::default()],
                persistent: true,
                ..Send::default()
            }],
            exprs: vec![int(7), int(-300)],
            unforgeables: vec![GUnforgeable {
                unf_instance: Some(UnfInstance::GPrivateBody(GPrivate { id: vec![9; 32] })),
            }],
            locally_free: vec![1],
            connective_used: true,
            ..Par::default()
        }
    }

    #[test]
    fn stripping_exprs_gives_the_encoding_of_the_par_without_them() {
        let par = sample_par();
        let expected = Par {
            exprs: Vec::new(),
            ..par.clone()
        };
        assert_eq!(without_exprs(&encode_par(&par)), encode_par(&expected));
    }

    #[test]
    fn a_lone_expression_is_framed_as_a_par() {
        let expr = int(-12345);
        let par = Par {
            exprs: vec![expr.clone()],
            ..Par::default()
        };
        assert_eq!(lone_expr_par_bytes(&expr), encode_par(&par));
    }

    #[test]
    fn the_pool_decodes_with_prost_and_deduplicates() {
        let mut pool = PoolBuilder::default();
        let par = sample_par();
        assert_eq!(pool.value(&par).unwrap(), 0);
        assert_eq!(pool.expr_value(&int(5)).unwrap(), 1);
        assert_eq!(pool.value(&par).unwrap(), 0);
        assert_eq!(pool.template(&par).unwrap(), 0);
        assert_eq!(pool.template_without_exprs(&par).unwrap(), 1);
        let desc = ReceiveDesc {
            binds: vec![BindDesc {
                patterns: vec![0, 1],
                remainder: None,
                free_count: 2,
            }],
            persistent: false,
            peek: true,
        };
        assert_eq!(pool.receive(&desc).unwrap(), 0);
        assert_eq!(pool.receive(&desc).unwrap(), 0);
        let new = NewDesc {
            bind_count: 2,
            uris: vec!["rho:io:stdout".to_owned()],
        };
        assert_eq!(pool.new_desc(&new).unwrap(), 0);
        pool.push_body_components(3);
        pool.push_body_components(200);

        let decoded = ConstPool::decode(pool.encode().as_slice()).unwrap();
        assert_eq!(
            decoded.values,
            vec![
                par.clone(),
                Par {
                    exprs: vec![int(5)],
                    ..Par::default()
                }
            ]
        );
        assert_eq!(
            decoded.templates,
            vec![
                par.clone(),
                Par {
                    exprs: Vec::new(),
                    ..par
                }
            ]
        );
        assert_eq!(decoded.receives, vec![desc]);
        assert_eq!(decoded.news, vec![new]);
        assert_eq!(decoded.body_components, vec![3, 200]);
    }
}
