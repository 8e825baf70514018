//! Metering injection (being written).
