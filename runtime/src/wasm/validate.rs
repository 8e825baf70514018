//! Module validation (being written).
