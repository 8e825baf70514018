//! Checks that source maps read back what they wrote and reject garbage
//! without panicking.

use proptest::collection::vec;
use proptest::prelude::*;
use rho_host_abi::source_map::{SourceLoc, SourceMap};

proptest! {
    #[test]
    fn round_trip(entries in vec((any::<u64>(), any::<u32>(), any::<u32>()), 0..20)) {
        let mut map = SourceMap::new();
        for &(key, line, col) in &entries {
            map.insert(key, SourceLoc { line, col });
        }
        let first = |key| entries.iter().find(|entry| entry.0 == key).map(|&(_, line, col)| SourceLoc { line, col });
        for &(key, ..) in &entries {
            prop_assert_eq!(map.get(key), first(key));
        }
        prop_assert_eq!(SourceMap::from_bytes(&map.to_bytes()), Ok(map));
    }

    #[test]
    fn garbage_never_panics(bytes in vec(any::<u8>(), 0..80), keep_magic in any::<bool>()) {
        let mut bytes = bytes;
        if keep_magic && bytes.len() >= 4 {
            bytes[..4].copy_from_slice(b"rsm1");
        }
        if let Ok(map) = SourceMap::from_bytes(&bytes) {
            prop_assert_eq!(map.to_bytes(), bytes);
        }
    }
}
