//! Fresh unforgeable names: a splittable, indexable Blake2b generator.
//!
//! Every process carries a [`Rand`]. A par splits it per branch, the body a
//! COMM releases gets the deploy's root state indexed by the COMM's number
//! ([`Rand::indexed`]: every COMM of a deploy has its own number, and the
//! scheduler is deterministic), and `new` derives its names from the state it
//! was given. Names are therefore reproducible from the deploy's seed, unique
//! within and across deploys, and unguessable without the seed.
//!
//! Splits and indexes are lazy: they build a small tree, and nothing is hashed
//! until a name is actually created or the tree grows past
//! [`COLLAPSE_WEIGHT`] nodes, when it is folded into one Blake2b-512 digest.
//! That keeps hashing off the per-COMM path while bounding memory.

use std::sync::Arc;

use blake2::{Blake2b512, Digest};

/// Trees with more unhashed nodes than this are folded into a digest.
pub const COLLAPSE_WEIGHT: u32 = 32;

/// The state of the name generator of one process.
#[derive(Clone, Debug)]
pub struct Rand(Repr);

#[derive(Clone, Debug)]
enum Repr {
    /// A built state.
    Node(Arc<Node>),
    /// `base` indexed by the number, not built yet: the state of a COMM's
    /// body costs no allocation until the body splits it (most never
    /// create a name). Only used while the indexed state would weigh at
    /// most [`COLLAPSE_WEIGHT`], so building it never folds it, and its
    /// names are the built state's.
    Indexed(Arc<Node>, u64),
}

#[derive(Debug)]
struct Node {
    kind: Kind,
    /// Unhashed nodes in this tree, this one included.
    weight: u32,
}

#[derive(Debug)]
enum Kind {
    Digest([u8; 64]),
    Split(Rand, u32),
    Indexed(Rand, u64),
}

impl Rand {
    /// The root state of a deploy, from its seed.
    pub fn from_seed(seed: &[u8]) -> Rand {
        let mut hasher = Blake2b512::new();
        hasher.update(b"rhoc-rand-seed");
        hasher.update(seed);
        Rand::digest(hasher.finalize().into())
    }

    fn digest(bytes: [u8; 64]) -> Rand {
        Rand(Repr::Node(Arc::new(Node {
            kind: Kind::Digest(bytes),
            weight: 0,
        })))
    }

    fn node(kind: Kind, weight: u32) -> Rand {
        let rand = Rand(Repr::Node(Arc::new(Node { kind, weight })));
        if weight > COLLAPSE_WEIGHT {
            Rand::digest(rand.fold())
        } else {
            rand
        }
    }

    /// Unhashed nodes in this state's tree.
    fn weight(&self) -> u32 {
        match &self.0 {
            Repr::Node(node) => node.weight,
            Repr::Indexed(base, _) => base.weight + 1,
        }
    }

    /// The state of branch `index` of this state.
    pub fn split(&self, index: u32) -> Rand {
        Rand::node(Kind::Split(self.clone(), index), self.weight() + 1)
    }

    /// The state numbered `index` under this one: the state of the body
    /// released by COMM number `index` of a deploy whose root this is.
    pub fn indexed(&self, index: u64) -> Rand {
        let weight = self.weight() + 1;
        match &self.0 {
            Repr::Node(base) if weight <= COLLAPSE_WEIGHT => {
                Rand(Repr::Indexed(Arc::clone(base), index))
            }
            _ => Rand::node(Kind::Indexed(self.clone(), index), weight),
        }
    }

    /// The `index`-th name derived from this state (32 bytes).
    pub fn name(&self, index: u32) -> [u8; 32] {
        let block = self.name_block(index / 2);
        let half = (index % 2) as usize * 32;
        let mut name = [0u8; 32];
        name.copy_from_slice(&block[half..half + 32]);
        name
    }

    /// The first `count` names of this state: `name(0)`, `name(1)`, ...,
    /// two per Blake2b-512 hash.
    pub fn names(&self, count: u32) -> Vec<[u8; 32]> {
        let mut names = Vec::with_capacity(count as usize);
        for block in 0..count.div_ceil(2) {
            let bytes = self.name_block(block);
            for half in bytes.chunks_exact(32).take((count - block * 2) as usize) {
                let mut name = [0u8; 32];
                name.copy_from_slice(half);
                names.push(name);
            }
        }
        names
    }

    /// Names `2 * block` and `2 * block + 1`: one Blake2b-512 over this
    /// state's tree (small: a COMM's state is the root indexed once, then
    /// split per component, and bigger trees are folded into digests) and
    /// the block number.
    fn name_block(&self, block: u32) -> [u8; 64] {
        let mut hasher = Blake2b512::new();
        hasher.update(b"rhoc-names");
        self.feed(&mut hasher);
        hasher.update(block.to_le_bytes());
        hasher.finalize().into()
    }

    /// The Blake2b-512 digest of this state's tree.
    fn fold(&self) -> [u8; 64] {
        if let Repr::Node(node) = &self.0
            && let Kind::Digest(bytes) = &node.kind
        {
            return *bytes;
        }
        let mut hasher = Blake2b512::new();
        self.feed(&mut hasher);
        hasher.finalize().into()
    }

    fn feed(&self, hasher: &mut Blake2b512) {
        match &self.0 {
            Repr::Node(node) => node.feed(hasher),
            Repr::Indexed(base, index) => Node::feed_indexed(base, *index, hasher),
        }
    }
}

impl Node {
    fn feed(&self, hasher: &mut Blake2b512) {
        match &self.kind {
            Kind::Digest(bytes) => {
                hasher.update([0u8]);
                hasher.update(bytes);
            }
            Kind::Split(parent, index) => {
                hasher.update([1u8]);
                hasher.update(index.to_le_bytes());
                parent.feed(hasher);
            }
            Kind::Indexed(parent, index) => {
                hasher.update([3u8]);
                hasher.update(index.to_le_bytes());
                parent.feed(hasher);
            }
        }
    }

    /// What a node `Indexed(base, index)` feeds.
    fn feed_indexed(base: &Node, index: u64, hasher: &mut Blake2b512) {
        hasher.update([3u8]);
        hasher.update(index.to_le_bytes());
        base.feed(hasher);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_reproducible_from_the_seed() {
        let a = Rand::from_seed(b"seed").split(3).split(1);
        let b = Rand::from_seed(b"seed").split(3).split(1);
        assert_eq!(a.name(0), b.name(0));
        assert_ne!(a.name(0), a.name(1));
        let other_seed = Rand::from_seed(b"other").split(3).split(1);
        assert_ne!(a.name(0), other_seed.name(0));
    }

    #[test]
    fn names_in_bulk_are_the_names_one_by_one() {
        let rand = Rand::from_seed(b"seed").indexed(7).split(2);
        let bulk = rand.names(5);
        assert_eq!(bulk.len(), 5);
        for (index, name) in bulk.iter().enumerate() {
            assert_eq!(*name, rand.name(index as u32));
        }
        let mut distinct = bulk.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(distinct.len(), 5);
        assert!(rand.names(0).is_empty());
    }

    #[test]
    fn splits_and_indexes_give_distinct_states() {
        let root = Rand::from_seed(b"seed");
        let left = root.split(0);
        let right = root.split(1);
        assert_ne!(left.name(0), right.name(0));
        let first = left.indexed(1);
        let second = left.indexed(2);
        assert_ne!(first.name(0), second.name(0));
    }

    /// `rand.indexed(index)` built at once, as a node.
    fn built_indexed(rand: &Rand, index: u64) -> Rand {
        Rand::node(Kind::Indexed(rand.clone(), index), rand.weight() + 1)
    }

    #[test]
    fn an_indexed_state_not_yet_built_has_the_names_of_the_built_one() {
        let root = Rand::from_seed(b"seed");
        let mut deep = root.clone();
        for i in 0..40 {
            deep = deep.split(i % 2);
        }
        for base in [root.clone(), root.split(4), deep] {
            for index in [0, 1, 99_999] {
                let lazy = base.indexed(index);
                let built = built_indexed(&base, index);
                assert_eq!(lazy.names(3), built.names(3));
                assert_eq!(lazy.split(2).names(2), built.split(2).names(2));
                assert_eq!(lazy.indexed(5).name(0), built.indexed(5).name(0));
                assert_eq!(lazy.weight(), built.weight());
            }
        }
    }

    #[test]
    fn long_chains_collapse_and_stay_deterministic() {
        let mut a = Rand::from_seed(b"seed");
        let mut b = Rand::from_seed(b"seed");
        for i in 0..10_000 {
            a = a.split(i % 3).indexed(u64::from(i));
            b = b.split(i % 3).indexed(u64::from(i));
            assert!(a.weight() <= COLLAPSE_WEIGHT);
        }
        assert_eq!(a.name(7), b.name(7));
    }
}
