//! Enumerating the ways to give some of a Par's components to a connective.
//!
//! The order is the reference's (`ParSpatialMatcherUtils.minMaxSubsets`): the
//! subsets of one category come in binary counting order, the first element
//! being the lowest bit, restricted to the sizes allowed; across categories
//! the order is lexicographic, sends varying slowest and bundles fastest.

/// Component counts per category, in [`super::view::ParView`] field order
/// (sends, receives, news, exprs, matches, unforgeables, bundles).
/// `usize::MAX` stands for "unbounded"; sums saturate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ParCount(pub(crate) [usize; 7]);

/// The index of the exprs category in a [`ParCount`].
pub(crate) const EXPRS: usize = 3;

impl ParCount {
    pub(crate) const ZERO: ParCount = ParCount([0; 7]);
    pub(crate) const UNBOUNDED: ParCount = ParCount([usize::MAX; 7]);

    /// One expression, nothing else: what a simple-type connective (`Int`...) needs.
    pub(crate) fn one_expr() -> ParCount {
        let mut counts = [0; 7];
        counts[EXPRS] = 1;
        ParCount(counts)
    }

    pub(crate) fn plus(self, other: ParCount) -> ParCount {
        self.zip(other, usize::saturating_add)
    }

    pub(crate) fn min(self, other: ParCount) -> ParCount {
        self.zip(other, std::cmp::min)
    }

    pub(crate) fn max(self, other: ParCount) -> ParCount {
        self.zip(other, std::cmp::max)
    }

    fn zip(self, other: ParCount, op: impl Fn(usize, usize) -> usize) -> ParCount {
        let mut counts = [0; 7];
        for (index, count) in counts.iter_mut().enumerate() {
            *count = op(self.0[index], other.0[index]);
        }
        ParCount(counts)
    }
}

/// The subsets of `len` elements whose size lies in `min..=max`, as masks,
/// in binary counting order.
#[derive(Debug, Clone)]
pub(crate) struct SubsetCounter {
    bits: Vec<bool>,
    ones: usize,
    min: usize,
    max: usize,
}

impl SubsetCounter {
    /// The first allowed subset, or `None` when no size in `min..=max` fits.
    pub(crate) fn first(len: usize, min: usize, max: usize) -> Option<SubsetCounter> {
        if min > max || min > len {
            return None;
        }
        let mut bits = vec![false; len];
        for bit in bits.iter_mut().take(min) {
            *bit = true;
        }
        Some(SubsetCounter {
            bits,
            ones: min,
            min,
            max,
        })
    }

    /// The current subset: `true` marks a chosen element.
    pub(crate) fn mask(&self) -> &[bool] {
        &self.bits
    }

    /// Moves to the next allowed subset; `false` when there is none.
    pub(crate) fn advance(&mut self) -> bool {
        if !self.add_power_of_two(0) {
            return false;
        }
        // Too many elements: the smallest larger number with fewer ones is
        // reached by adding the lowest set bit, which clears a run of ones.
        while self.ones > self.max {
            let Some(lowest) = self.bits.iter().position(|&bit| bit) else {
                return false;
            };
            if !self.add_power_of_two(lowest) {
                return false;
            }
        }
        // Too few: setting the lowest clear bits is the smallest increase.
        let mut position = 0;
        while self.ones < self.min {
            match self.bits.get_mut(position) {
                Some(bit) => {
                    if !*bit {
                        *bit = true;
                        self.ones += 1;
                    }
                }
                None => return false,
            }
            position += 1;
        }
        true
    }

    /// Adds `2^power` to the counter; `false` when it overflows `len` bits.
    fn add_power_of_two(&mut self, power: usize) -> bool {
        let mut position = power;
        loop {
            match self.bits.get_mut(position) {
                None => return false,
                Some(bit) if *bit => {
                    *bit = false;
                    self.ones -= 1;
                    position += 1;
                }
                Some(bit) => {
                    *bit = true;
                    self.ones += 1;
                    return true;
                }
            }
        }
    }
}

/// All ways to choose, per category, a subset whose size lies within the
/// category's bounds: an odometer over seven [`SubsetCounter`]s.
#[derive(Debug, Clone)]
pub(crate) struct SubParCounter {
    counters: Vec<SubsetCounter>,
}

impl SubParCounter {
    /// `None` when some category has no allowed subset.
    pub(crate) fn first(lens: [usize; 7], min: ParCount, max: ParCount) -> Option<SubParCounter> {
        let mut counters = Vec::with_capacity(7);
        for (index, len) in lens.into_iter().enumerate() {
            counters.push(SubsetCounter::first(len, min.0[index], max.0[index])?);
        }
        Some(SubParCounter { counters })
    }

    /// The current mask of category `index`.
    pub(crate) fn mask(&self, index: usize) -> &[bool] {
        self.counters
            .get(index)
            .map(SubsetCounter::mask)
            .unwrap_or(&[])
    }

    /// Moves to the next combination; `false` when all were seen.
    pub(crate) fn advance(&mut self) -> bool {
        for index in (0..self.counters.len()).rev() {
            let Some(counter) = self.counters.get_mut(index) else {
                return false;
            };
            if counter.advance() {
                return true;
            }
            let len = counter.bits.len();
            match SubsetCounter::first(len, counter.min, counter.max) {
                Some(reset) => *counter = reset,
                None => return false,
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_masks(len: usize, min: usize, max: usize) -> Vec<Vec<bool>> {
        let mut out = Vec::new();
        if let Some(mut counter) = SubsetCounter::first(len, min, max) {
            loop {
                out.push(counter.mask().to_vec());
                if !counter.advance() {
                    break;
                }
            }
        }
        out
    }

    /// The reference order: binary counting, element 0 the lowest bit, filtered by size.
    fn brute_force(len: usize, min: usize, max: usize) -> Vec<Vec<bool>> {
        (0u32..(1 << len))
            .map(|number| {
                (0..len)
                    .map(|bit| number & (1 << bit) != 0)
                    .collect::<Vec<bool>>()
            })
            .filter(|mask| {
                let ones = mask.iter().filter(|&&bit| bit).count();
                min <= ones && ones <= max
            })
            .collect()
    }

    #[test]
    fn subsets_follow_binary_counting_order_within_size_bounds() {
        for len in 0..7 {
            for min in 0..=len + 1 {
                for max in 0..=len + 1 {
                    assert_eq!(
                        all_masks(len, min, max),
                        brute_force(len, min, max),
                        "len {len} min {min} max {max}"
                    );
                }
            }
        }
    }

    #[test]
    fn unbounded_max_enumerates_every_subset() {
        assert_eq!(all_masks(3, 0, usize::MAX).len(), 8);
        assert_eq!(all_masks(3, 2, usize::MAX), brute_force(3, 2, 3));
    }

    #[test]
    fn the_reference_order_for_three_elements() {
        let names = ["a", "b", "c"];
        let listed: Vec<String> = all_masks(3, 0, 3)
            .iter()
            .map(|mask| {
                names
                    .iter()
                    .zip(mask)
                    .filter(|(_, on)| **on)
                    .map(|(n, _)| *n)
                    .collect()
            })
            .collect();
        assert_eq!(listed, ["", "a", "b", "ab", "c", "ac", "bc", "abc"]);
    }

    #[test]
    fn odometer_varies_the_last_category_fastest() {
        let lens = [1, 0, 0, 0, 0, 0, 1];
        let mut counter =
            SubParCounter::first(lens, ParCount::ZERO, ParCount::UNBOUNDED).expect("subsets exist");
        let mut seen = Vec::new();
        loop {
            seen.push((counter.mask(0).to_vec(), counter.mask(6).to_vec()));
            if !counter.advance() {
                break;
            }
        }
        assert_eq!(
            seen,
            [
                (vec![false], vec![false]),
                (vec![false], vec![true]),
                (vec![true], vec![false]),
                (vec![true], vec![true]),
            ]
        );
    }
}
