//! Borrowed views of a target Par: the whole Par, or the part of it that is
//! left after connectives took their share.

use rho_host_abi::par::{Bundle, Expr, GUnforgeable, Match, New, Par, Receive, Send};

/// The empty process, for optional Par fields that are absent.
pub(crate) static NIL: Par = Par {
    sends: Vec::new(),
    receives: Vec::new(),
    news: Vec::new(),
    exprs: Vec::new(),
    matches: Vec::new(),
    unforgeables: Vec::new(),
    bundles: Vec::new(),
    connectives: Vec::new(),
    locally_free: Vec::new(),
    connective_used: false,
};

/// An optional Par field, with absence read as Nil.
pub(crate) fn par_or_nil(par: Option<&Par>) -> &Par {
    par.unwrap_or(&NIL)
}

/// A sequence of components: a whole field of a Par, or some of its elements.
#[derive(Debug)]
pub(crate) enum Items<'a, T> {
    /// All elements of a field.
    Slice(&'a [T]),
    /// Chosen elements, in their original order.
    Picked(Vec<&'a T>),
}

impl<T> Clone for Items<'_, T> {
    fn clone(&self) -> Self {
        match self {
            Items::Slice(slice) => Items::Slice(slice),
            Items::Picked(picked) => Items::Picked(picked.clone()),
        }
    }
}

impl<'a, T> Items<'a, T> {
    pub(crate) fn len(&self) -> usize {
        match self {
            Items::Slice(slice) => slice.len(),
            Items::Picked(picked) => picked.len(),
        }
    }

    pub(crate) fn get(&self, index: usize) -> Option<&'a T> {
        match self {
            Items::Slice(slice) => slice.get(index),
            Items::Picked(picked) => picked.get(index).copied(),
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a T> + '_ {
        (0..self.len()).filter_map(move |index| self.get(index))
    }

    pub(crate) fn to_vec(&self) -> Vec<&'a T> {
        self.iter().collect()
    }

    /// Splits by `mask` (one flag per element): the flagged elements, then
    /// the others, both in their original order.
    pub(crate) fn split(&self, mask: &[bool]) -> (Items<'a, T>, Items<'a, T>) {
        let mut picked = Vec::new();
        let mut rest = Vec::new();
        for (item, &chosen) in self.iter().zip(mask) {
            if chosen {
                picked.push(item);
            } else {
                rest.push(item);
            }
        }
        (Items::Picked(picked), Items::Picked(rest))
    }
}

/// The components of a target Par that are still to be matched.
///
/// Field order is the order in which the reference enumerates sub-Pars.
#[derive(Debug, Clone)]
pub(crate) struct ParView<'t> {
    pub(crate) sends: Items<'t, Send>,
    pub(crate) receives: Items<'t, Receive>,
    pub(crate) news: Items<'t, New>,
    pub(crate) exprs: Items<'t, Expr>,
    pub(crate) matches: Items<'t, Match>,
    pub(crate) unforgeables: Items<'t, GUnforgeable>,
    pub(crate) bundles: Items<'t, Bundle>,
    /// The Par this view shows all of, if it does.
    pub(crate) whole: Option<&'t Par>,
}

impl<'t> ParView<'t> {
    /// All components of `par` (its connectives, which a value never has, are ignored).
    pub(crate) fn whole(par: &'t Par) -> Self {
        ParView {
            sends: Items::Slice(&par.sends),
            receives: Items::Slice(&par.receives),
            news: Items::Slice(&par.news),
            exprs: Items::Slice(&par.exprs),
            matches: Items::Slice(&par.matches),
            unforgeables: Items::Slice(&par.unforgeables),
            bundles: Items::Slice(&par.bundles),
            whole: Some(par),
        }
    }

    /// The number of components in each category, in [`ParView`] field order.
    pub(crate) fn counts(&self) -> [usize; 7] {
        [
            self.sends.len(),
            self.receives.len(),
            self.news.len(),
            self.exprs.len(),
            self.matches.len(),
            self.unforgeables.len(),
            self.bundles.len(),
        ]
    }

    /// The only component, when it is an expression.
    pub(crate) fn single_expr(&self) -> Option<&'t Expr> {
        let counts = self.counts();
        if counts.iter().sum::<usize>() == 1 {
            self.exprs.get(0)
        } else {
            None
        }
    }
}
