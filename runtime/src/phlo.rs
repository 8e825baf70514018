//! Phlo (gas): the versioned cost table and the meter that charges it.
//!
//! Prices start from the reference's `Costs.scala`. Every engine charges the
//! same table for Rholang operations; storage is charged by the protobuf size
//! of what a send or receive leaves in the tuplespace and refunded when a COMM
//! takes it out again.

use crate::error::RuntimeError;

/// The version of [`CostTable::V1`] and of the Wasm instruction prices
/// (`wasm::meter::WasmCosts::V1`); bump it whenever any price changes.
pub const COST_TABLE_VERSION: u32 = 1;

/// The default phlo limit of `rhoc run`: enough for any program that finishes
/// within a few seconds, small enough to stop a runaway loop in about ten.
pub const DEFAULT_PHLO_LIMIT: u64 = 2_000_000_000;

/// Prices of Rholang operations, in phlo.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostTable {
    /// Version of this table, recorded in built modules and event logs.
    pub version: u32,
    /// Evaluating a send.
    pub send: u64,
    /// Evaluating a receive.
    pub receive: u64,
    /// Evaluating a channel expression.
    pub channel: u64,
    /// Looking up a variable.
    pub var_eval: u64,
    /// Evaluating `new`, plus [`CostTable::new_binding`] per name.
    pub new_eval: u64,
    /// Each name bound by `new`.
    pub new_binding: u64,
    /// Evaluating `match`.
    pub match_eval: u64,
    /// A method call (before any size-dependent part).
    pub method_call: u64,
    /// An operator application (before any size-dependent part).
    pub op_call: u64,
    /// `+`.
    pub sum: u64,
    /// `-`.
    pub subtraction: u64,
    /// `<`, `<=`, `>`, `>=`.
    pub comparison: u64,
    /// `*`.
    pub multiplication: u64,
    /// `/` and `%`.
    pub division: u64,
    /// `and`, `&&`.
    pub boolean_and: u64,
    /// `or`, `||`.
    pub boolean_or: u64,
    /// A map or set lookup.
    pub lookup: u64,
    /// A map or set removal.
    pub remove: u64,
    /// A map or set insertion.
    pub add: u64,
    /// `nth`.
    pub nth: u64,
    /// `keys`.
    pub keys: u64,
    /// `length`.
    pub length: u64,
    /// One step of the spatial matcher.
    pub match_step: u64,
    /// `toBigInt` on an Int.
    pub int_to_bigint: u64,
}

impl CostTable {
    /// Version 1: the reference's prices.
    pub const V1: CostTable = CostTable {
        version: COST_TABLE_VERSION,
        send: 11,
        receive: 11,
        channel: 11,
        var_eval: 10,
        new_eval: 10,
        new_binding: 2,
        match_eval: 12,
        method_call: 10,
        op_call: 10,
        sum: 3,
        subtraction: 3,
        comparison: 3,
        multiplication: 9,
        division: 9,
        boolean_and: 2,
        boolean_or: 2,
        lookup: 3,
        remove: 3,
        add: 3,
        nth: 10,
        keys: 10,
        length: 10,
        match_step: 1,
        int_to_bigint: 8,
    };
}

/// Counts the phlo spent against a limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhloMeter {
    limit: u64,
    spent: u64,
}

impl PhloMeter {
    /// A meter that allows spending up to `limit`.
    pub fn new(limit: u64) -> PhloMeter {
        PhloMeter { limit, spent: 0 }
    }

    /// Charges `amount`.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::OutOfPhlo`] when the limit would be exceeded; the
    /// meter is then left at its limit.
    pub fn charge(&mut self, amount: u64) -> Result<(), RuntimeError> {
        let next = self.spent.saturating_add(amount);
        if next > self.limit {
            self.spent = self.limit;
            return Err(RuntimeError::OutOfPhlo);
        }
        self.spent = next;
        Ok(())
    }

    /// Gives back `amount` (storage refunded on COMM), never below zero.
    pub fn refund(&mut self, amount: u64) {
        self.spent = self.spent.saturating_sub(amount);
    }

    /// The phlo left under the limit.
    pub fn left(&self) -> u64 {
        self.limit().saturating_sub(self.spent())
    }

    /// Phlo spent so far.
    pub fn spent(&self) -> u64 {
        self.spent
    }

    /// The limit.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Whether the limit has been reached.
    pub fn exhausted(&self) -> bool {
        self.spent >= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charging_past_the_limit_fails_and_pins_the_meter() {
        let mut meter = PhloMeter::new(100);
        assert_eq!(meter.charge(60), Ok(()));
        assert_eq!(meter.charge(41), Err(RuntimeError::OutOfPhlo));
        assert_eq!(meter.spent(), 100);
        assert!(meter.exhausted());
    }

    #[test]
    fn refunds_never_go_below_zero() {
        let mut meter = PhloMeter::new(100);
        meter.charge(10).unwrap();
        meter.refund(25);
        assert_eq!(meter.spent(), 0);
    }
}
